/**
 * Reading and writing PEFT adapter directories: `adapter_config.json` + `adapter_model.safetensors`
 * with PEFT's tensor names (`base_model.model.<module>.lora_A.weight` [r, in], `lora_B.weight`
 * [out, r], full tensors of `modules_to_save` as `base_model.model.<module>.<param>`). Adapters
 * written here carry `chimera.version` and `chimera.checksum` in the safetensors metadata (PEFT
 * ignores it). Reading is strict: every inconsistency is an AdapterFormatError naming the file and
 * what to do, and nothing is returned half-read.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  float32Tensor,
  parseSafetensorsHeader,
  SafetensorsError,
  type SafetensorsTensor,
  tensorToFloat32,
  writeSafetensors,
} from '@chimera/runtime-cuda';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { tensorsChecksum } from './checksum';
import {
  type AdapterDtype,
  type LoraModule,
  PEFT_PREFIX,
  type PeftAdapter,
  type SavedTensor,
} from './peft-adapter';
import { isTargetModule, moduleScaling, parsePeftConfig } from './peft-config';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** What a reader requires of an adapter (a runtime's base model and its adapted modules). */
export interface AdapterExpectation {
  /** `base_model_name_or_path` must equal this. */
  baseModel?: string;
  /** Modules that must be present, with their sizes (any rank unless given). */
  modules?: Record<string, { inFeatures: number; outFeatures: number; rank?: number }>;
  /** Saved (fully trained) tensors that must be present, with their shapes. */
  saved?: Record<string, readonly number[]>;
  /** Refuse modules and saved tensors not listed above. Default true when `modules` is given. */
  exact?: boolean;
}

export interface AdapterFileInfo {
  /** `chimera.version` from the metadata, when written here. */
  version: string | null;
  /** `chimera.checksum` (verified), when written here. */
  checksum: string | null;
  metadata: Record<string, string>;
}

/** Writes `adapter` as a PEFT directory (atomically: a temporary directory renamed into place). */
export async function writePeftAdapter(
  dir: string,
  adapter: PeftAdapter,
  info: { version: string; metadata?: Record<string, string> },
): Promise<{ checksum: string; bytes: Uint8Array }> {
  const tensors = adapterTensors(adapter);
  const checksum = tensorsChecksum(tensors);
  const bytes = writeSafetensors(tensors, {
    ...info.metadata,
    format: 'pt',
    'chimera.version': info.version,
    'chimera.checksum': checksum,
  });
  const config = `${JSON.stringify(adapter.config, null, 2)}\n`;
  const temporary = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await mkdir(temporary, { recursive: true });
    await writeFile(join(temporary, ADAPTER_CONFIG_FILE), config);
    await writeFile(join(temporary, ADAPTER_WEIGHTS_FILE), bytes);
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(temporary, dir);
  } catch (cause) {
    await rm(temporary, { recursive: true, force: true });
    throw new AdapterFormatError(
      'missing-file',
      `cannot write adapter to ${dir}: ${(cause as Error).message}`,
      dir,
      {
        cause,
      },
    );
  }
  return { checksum, bytes };
}

/** The safetensors tensors of an adapter, with PEFT's names, in the adapter's dtype. */
export function adapterTensors(adapter: PeftAdapter): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [name, m] of adapter.modules) {
    out.set(`${PEFT_PREFIX}${name}.lora_A.weight`, float32Tensor(m.a, [m.rank, m.inFeatures], adapter.dtype));
    out.set(
      `${PEFT_PREFIX}${name}.lora_B.weight`,
      float32Tensor(m.b, [m.outFeatures, m.rank], adapter.dtype),
    );
  }
  for (const [name, t] of adapter.saved)
    out.set(`${PEFT_PREFIX}${name}`, float32Tensor(t.data, t.shape, adapter.dtype));
  return out;
}

/**
 * Reads and checks a PEFT adapter directory.
 * @throws AdapterFormatError on a missing, truncated or inconsistent file, a checksum mismatch, or
 * an adapter that does not meet `expect` (wrong base model, missing module, wrong shape).
 */
export async function readPeftAdapter(
  dir: string,
  expect: AdapterExpectation = {},
): Promise<{ adapter: PeftAdapter; info: AdapterFileInfo }> {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(configPath)) {
    throw new AdapterFormatError(
      'missing-file',
      `${configPath} does not exist: not a PEFT adapter directory`,
      dir,
    );
  }
  if (!existsSync(weightsPath)) {
    const legacy = existsSync(join(dir, 'adapter_model.bin'));
    throw new AdapterFormatError(
      legacy ? 'unsupported-format' : 'missing-file',
      legacy
        ? `${dir} holds adapter_model.bin (a PyTorch pickle); convert it to safetensors (peft save_pretrained(safe_serialization=True))`
        : `${weightsPath} does not exist`,
      dir,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (cause) {
    throw new AdapterFormatError(
      'invalid-config',
      `${configPath} is not valid JSON: ${(cause as Error).message}`,
      configPath,
      {
        cause,
      },
    );
  }
  const config = parsePeftConfig(raw, configPath);
  if (expect.baseModel !== undefined && config.base_model_name_or_path !== expect.baseModel) {
    throw new AdapterFormatError(
      'wrong-base-model',
      `adapter ${dir} was trained on base model "${config.base_model_name_or_path}", this runtime runs "${expect.baseModel}"`,
      configPath,
    );
  }
  let contents: { tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> | undefined };
  try {
    contents = decodeSafetensors(await readFile(weightsPath));
  } catch (cause) {
    if (!SafetensorsError.isInstance(cause)) throw cause;
    throw new AdapterFormatError(
      'corrupt-file',
      `${weightsPath} is not a valid safetensors file (truncated or damaged?): ${cause.message}`,
      weightsPath,
      { cause },
    );
  }
  const metadata = contents.metadata ?? {};
  const checksum = metadata['chimera.checksum'] ?? null;
  if (checksum !== null) {
    const actual = tensorsChecksum(contents.tensors);
    if (actual !== checksum) {
      throw new AdapterFormatError(
        'checksum-mismatch',
        `${weightsPath}: tensors do not match the checksum written with them (${checksum}, got ${actual}); the file was modified or damaged`,
        weightsPath,
      );
    }
  }
  const adapter = assemble(config, contents.tensors, weightsPath);
  checkExpectation(adapter, expect, dir);
  return { adapter, info: { version: metadata['chimera.version'] ?? null, checksum, metadata } };
}

const ELEMENT: Record<string, { bytes: number; array: Float32ArrayConstructor | Uint16ArrayConstructor }> = {
  F32: { bytes: 4, array: Float32Array },
  F16: { bytes: 2, array: Uint16Array },
  BF16: { bytes: 2, array: Uint16Array },
};

/**
 * The checked header (runtime-cuda's parser: offsets tile the data, sizes match shapes, file size
 * matches), then typed views straight into the file's bytes where they are aligned, which they are
 * for files written by safetensors (the header is padded to 8 bytes): one copy less than
 * `readSafetensors`, which matters for adapters of hundreds of megabytes. Other dtypes are
 * refused by the caller; misaligned data is copied.
 */
function decodeSafetensors(bytes: Uint8Array): {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string> | undefined;
} {
  const header = parseSafetensorsHeader(bytes);
  const base = bytes.byteOffset + 8 + header.headerSize;
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, info] of header.tensors) {
    const element = ELEMENT[info.dtype];
    const [begin, end] = info.dataOffsets;
    // A fresh copy (Buffer#slice would alias the file's memory, at offset 0 of another buffer).
    const copy = () => {
      const out = new Uint8Array(end - begin);
      out.set(bytes.subarray(8 + header.headerSize + begin, 8 + header.headerSize + end));
      return out;
    };
    if (!element) {
      tensors.set(name, { dtype: info.dtype, shape: info.shape, data: copy() });
      continue;
    }
    const length = (end - begin) / element.bytes;
    const data =
      (base + begin) % element.bytes === 0
        ? new element.array(bytes.buffer as ArrayBuffer, base + begin, length)
        : new element.array(copy().buffer, 0, length);
    tensors.set(name, { dtype: info.dtype, shape: info.shape, data });
  }
  return { tensors, metadata: header.metadata };
}

/** F32 data as read (the reader already copied it into a fresh array); F16 / BF16 decoded. */
function asFloat32(tensor: SafetensorsTensor): Float32Array {
  return tensor.dtype === 'F32' ? (tensor.data as Float32Array) : tensorToFloat32(tensor);
}

function dtypeOf(tensors: Map<string, SafetensorsTensor>, path: string): AdapterDtype {
  const dtypes = new Set([...tensors.values()].map((t) => t.dtype));
  for (const d of dtypes) {
    if (d !== 'F32' && d !== 'F16' && d !== 'BF16') {
      throw new AdapterFormatError(
        'unsupported-format',
        `${path} stores ${d} tensors; adapters must be F32, F16 or BF16`,
        path,
      );
    }
  }
  if (dtypes.size > 1) {
    throw new AdapterFormatError(
      'unsupported-format',
      `${path} mixes dtypes (${[...dtypes].join(', ')})`,
      path,
    );
  }
  return ([...dtypes][0] as AdapterDtype | undefined) ?? 'F32';
}

function assemble(
  config: ReturnType<typeof parsePeftConfig>,
  tensors: Map<string, SafetensorsTensor>,
  path: string,
): PeftAdapter {
  const dtype = dtypeOf(tensors, path);
  const factors = new Map<string, { a?: SafetensorsTensor; b?: SafetensorsTensor }>();
  const saved = new Map<string, SavedTensor>();
  const savedModules = config.modules_to_save ?? [];
  for (const [key, tensor] of tensors) {
    if (!key.startsWith(PEFT_PREFIX)) {
      throw new AdapterFormatError(
        'unexpected-tensor',
        `${path}: tensor "${key}" does not start with "${PEFT_PREFIX}" (not a PEFT-saved adapter)`,
        path,
      );
    }
    const name = key.slice(PEFT_PREFIX.length);
    if (/\.lora_(embedding_[AB]|magnitude_vector)\b/.test(name)) {
      throw new AdapterFormatError(
        'unsupported-feature',
        `${path}: tensor "${key}" is an embedding LoRA or DoRA magnitude; only linear LoRA modules are supported`,
        path,
      );
    }
    const factor = /^(.*)\.lora_([AB])\.weight$/.exec(name);
    if (factor) {
      const entry = factors.get(factor[1]!) ?? {};
      entry[factor[2] === 'A' ? 'a' : 'b'] = tensor;
      factors.set(factor[1]!, entry);
      continue;
    }
    const owner = savedModules.find((m) => name.startsWith(`${m}.`) || name.includes(`.${m}.`));
    if (!owner) {
      throw new AdapterFormatError(
        'unexpected-tensor',
        `${path}: tensor "${key}" is neither a LoRA factor nor part of modules_to_save (${savedModules.join(', ') || 'none'})`,
        path,
      );
    }
    saved.set(name, { shape: [...tensor.shape], data: asFloat32(tensor) });
  }
  const modules = new Map<string, LoraModule>();
  for (const [name, { a, b }] of factors) {
    if (!a || !b) {
      throw new AdapterFormatError(
        'missing-tensor',
        `${path}: module "${name}" has lora_${a ? 'A' : 'B'} but no lora_${a ? 'B' : 'A'}`,
        path,
      );
    }
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw new AdapterFormatError(
        'wrong-shape',
        `${path}: module "${name}" factors must be matrices, got lora_A [${a.shape}] and lora_B [${b.shape}]`,
        path,
      );
    }
    const [rank, inFeatures] = a.shape as [number, number];
    const [outFeatures, rankB] = b.shape as [number, number];
    const { rank: configRank, alpha, scaling } = moduleScaling(config, name);
    if (rankB !== rank || rank !== configRank) {
      throw new AdapterFormatError(
        'wrong-shape',
        `${path}: module "${name}" has lora_A [${a.shape}] and lora_B [${b.shape}], but the config gives it rank ${configRank}`,
        path,
      );
    }
    if (!isTargetModule(config, name)) {
      throw new AdapterFormatError(
        'unexpected-tensor',
        `${path}: module "${name}" is not among target_modules ${JSON.stringify(config.target_modules)}`,
        path,
      );
    }
    modules.set(name, {
      rank,
      inFeatures,
      outFeatures,
      a: asFloat32(a),
      b: asFloat32(b),
      alpha,
      scaling,
    });
  }
  if (modules.size === 0) {
    throw new AdapterFormatError('missing-tensor', `${path} holds no LoRA factors (lora_A / lora_B)`, path);
  }
  return { config, modules, saved, dtype };
}

function checkExpectation(adapter: PeftAdapter, expect: AdapterExpectation, dir: string): void {
  const exact = expect.exact ?? expect.modules !== undefined;
  for (const [name, want] of Object.entries(expect.modules ?? {})) {
    const m = adapter.modules.get(name);
    if (!m) {
      throw new AdapterFormatError(
        'missing-tensor',
        `adapter ${dir} has no LoRA module "${name}" (it has ${[...adapter.modules.keys()].join(', ')})`,
        dir,
      );
    }
    if (
      m.inFeatures !== want.inFeatures ||
      m.outFeatures !== want.outFeatures ||
      (want.rank !== undefined && m.rank !== want.rank)
    ) {
      throw new AdapterFormatError(
        'wrong-shape',
        `adapter ${dir}: module "${name}" is ${m.outFeatures}x${m.inFeatures} rank ${m.rank}; the model needs ${want.outFeatures}x${want.inFeatures}${want.rank !== undefined ? ` rank ${want.rank}` : ''}`,
        dir,
      );
    }
  }
  for (const [name, shape] of Object.entries(expect.saved ?? {})) {
    const t = adapter.saved.get(name);
    if (!t)
      throw new AdapterFormatError('missing-tensor', `adapter ${dir} has no saved tensor "${name}"`, dir);
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new AdapterFormatError(
        'wrong-shape',
        `adapter ${dir}: tensor "${name}" has shape [${t.shape}], the model needs [${shape}]`,
        dir,
      );
    }
  }
  if (exact) {
    const extraModules = [...adapter.modules.keys()].filter((n) => !(n in (expect.modules ?? {})));
    const extraSaved = [...adapter.saved.keys()].filter((n) => !(n in (expect.saved ?? {})));
    if (extraModules.length || extraSaved.length) {
      throw new AdapterFormatError(
        'unexpected-tensor',
        `adapter ${dir} adapts parts this model does not have: ${[...extraModules, ...extraSaved].join(', ')}`,
        dir,
      );
    }
  }
}
