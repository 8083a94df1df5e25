/**
 * Saving and loading a quantized model as safetensors: float tensors as F32, each 4-bit part as
 * packed codes (U8, two per byte, low nibble first, [N, ceil(K / 2)]), F32 scales and U8 zero
 * points ([N, groups]), rotations as F64, and the layer layout in the `chimera.quant` metadata
 * entry. Loading restores a `QuantizedModel` whose float weights for quantized layers are their
 * dequantized values (the originals are not stored: that is the point of quantizing).
 */
import { readSafetensors, type SafetensorsTensorInput, writeSafetensors } from '../safetensors/safetensors';
import { QuantError } from './quant-error';
import type { QuantizedModel, WeightMap } from './quantize-model';
import { dequantizeLinear, type QuantizedLinear } from './quantized-linear';
import { groupsOf, type QuantizedWeight } from './rtn';

const METADATA_KEY = 'chimera.quant';

interface LayoutV1 {
  version: 1;
  layers: Record<
    string,
    {
      method: QuantizedLinear['method'];
      k: number;
      n: number;
      boundaries?: [number, number];
      parts: { groupSize: number; symmetric: boolean }[];
    }
  >;
  /** Site names, each with a `rotation.<site>` tensor. */
  rotations: string[];
  online: Record<string, string>;
}

export function writeQuantizedModel(
  model: QuantizedModel,
  metadata: Record<string, string> = {},
): Uint8Array {
  const tensors = new Map<string, SafetensorsTensorInput>();
  for (const [name, t] of model.weights) {
    if (!model.layers.has(name)) tensors.set(name, { dtype: 'F32', shape: t.shape, data: t.data });
  }
  const layout: LayoutV1 = { version: 1, layers: {}, rotations: [], online: {} };
  for (const [name, layer] of model.layers) {
    layout.layers[name] = {
      method: layer.method,
      k: layer.k,
      n: layer.n,
      ...(layer.boundaries ? { boundaries: layer.boundaries } : {}),
      parts: layer.parts.map((p) => ({ groupSize: p.groupSize, symmetric: p.symmetric })),
    };
    layer.parts.forEach((part, i) => {
      const prefix = `${name}.part${i}`;
      const groups = groupsOf(part);
      tensors.set(`${prefix}.codes`, {
        dtype: 'U8',
        shape: [part.n, Math.ceil(part.k / 2)],
        data: packCodes(part),
      });
      tensors.set(`${prefix}.scales`, { dtype: 'F32', shape: [part.n, groups], data: part.scales });
      tensors.set(`${prefix}.zero_points`, { dtype: 'U8', shape: [part.n, groups], data: part.zeroPoints });
    });
  }
  for (const [site, r] of model.rotations) {
    const d = Math.round(Math.sqrt(r.length));
    tensors.set(`rotation.${site}`, { dtype: 'F64', shape: [d, d], data: r });
    layout.rotations.push(site);
  }
  for (const [layer, r] of model.onlineRotations) {
    const site = [...model.rotations].find(([, rot]) => rot === r)?.[0];
    if (site === undefined)
      throw new QuantError(`online rotation of ${layer} is not one of the model's site rotations`);
    layout.online[layer] = site;
  }
  return writeSafetensors(tensors, { ...metadata, [METADATA_KEY]: JSON.stringify(layout) });
}

export function readQuantizedModel(source: Uint8Array | string): QuantizedModel {
  const { tensors, metadata } = readSafetensors(source);
  const raw = metadata?.[METADATA_KEY];
  if (raw === undefined) {
    throw new QuantError(
      `this safetensors file has no "${METADATA_KEY}" metadata: it was not written by writeQuantizedModel`,
    );
  }
  let layout: LayoutV1;
  try {
    layout = JSON.parse(raw) as LayoutV1;
  } catch (cause) {
    throw new QuantError(`the "${METADATA_KEY}" metadata is not valid JSON`, { cause });
  }
  if (layout.version !== 1)
    throw new QuantError(
      `unsupported quantized layout version ${String(layout.version)}; this reader knows 1`,
    );
  const need = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new QuantError(`the quantized file lacks tensor "${name}"`);
    return t;
  };
  const weights: WeightMap = new Map();
  const rotations = new Map<string, Float64Array>();
  for (const [name, t] of tensors) {
    if (name.startsWith('rotation.')) rotations.set(name.slice('rotation.'.length), t.data as Float64Array);
    else if (t.dtype === 'F32' && !/\.part\d+\.(scales)$/.test(name))
      weights.set(name, { shape: t.shape, data: t.data as Float32Array });
  }
  const layers = new Map<string, QuantizedLinear>();
  for (const [name, spec] of Object.entries(layout.layers)) {
    const parts: QuantizedWeight[] = spec.parts.map((p, i) => {
      const prefix = `${name}.part${i}`;
      return {
        k: spec.k,
        n: spec.n,
        bits: 4,
        groupSize: p.groupSize,
        symmetric: p.symmetric,
        codes: unpackCodes(need(`${prefix}.codes`).data as Uint8Array, spec.k, spec.n),
        scales: need(`${prefix}.scales`).data as Float32Array,
        zeroPoints: need(`${prefix}.zero_points`).data as Uint8Array,
      };
    });
    const layer: QuantizedLinear = {
      method: spec.method,
      k: spec.k,
      n: spec.n,
      parts,
      ...(spec.boundaries ? { boundaries: spec.boundaries } : {}),
    };
    layers.set(name, layer);
    weights.set(name, { shape: [spec.k, spec.n], data: dequantizeLinear(layer) });
  }
  const onlineRotations = new Map<string, Float64Array>();
  for (const [layer, site] of Object.entries(layout.online)) {
    const r = rotations.get(site);
    if (!r)
      throw new QuantError(`online rotation of ${layer} names site ${site}, which the file does not hold`);
    onlineRotations.set(layer, r);
  }
  return { weights, layers, rotations, onlineRotations, report: [], sites: [] };
}

function packCodes(part: QuantizedWeight): Uint8Array {
  const perRow = Math.ceil(part.k / 2);
  const out = new Uint8Array(part.n * perRow);
  for (let row = 0; row < part.n; row++) {
    for (let i = 0; i < part.k; i++)
      out[row * perRow + (i >> 1)]! |= (part.codes[row * part.k + i] as number) << ((i & 1) * 4);
  }
  return out;
}

function unpackCodes(packed: Uint8Array, k: number, n: number): Uint8Array {
  const perRow = Math.ceil(k / 2);
  if (packed.length !== n * perRow)
    throw new QuantError(`packed codes hold ${packed.length} bytes, expected ${n * perRow}`);
  const out = new Uint8Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < k; i++)
      out[row * k + i] = ((packed[row * perRow + (i >> 1)] as number) >> ((i & 1) * 4)) & 15;
  }
  return out;
}
