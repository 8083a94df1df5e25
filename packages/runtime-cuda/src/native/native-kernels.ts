/**
 * Adapts the addon's flat functions (typed arrays and numbers only, see native/src/addon.cc) to
 * the KernelSet interface, so the optimizer and layers use any backend through one API.
 */
import type {
  Int4Matrix,
  KernelSet,
  LoraTerm,
  NoiseSpec,
  QuantizeResult,
  UpdateDirection,
} from '../kernels/kernel-set';

/** The functions the addon exports under `cpu` and `cuda`. */
export interface AddonKernelFunctions {
  gaussian(out: Float32Array, seed: number, tensor: number, offset: number): void;
  gaussianRange(seed: number, tensor: number, length: number): [number, number];
  stochasticRound(
    input: Float32Array,
    output: Float32Array,
    bits: number,
    seed: number,
    stream: number,
    codes: Uint8Array | null,
  ): [number, number, number, number, number];
  perturbPlus(...args: PerturbArgs): number;
  perturbMinus(...args: [...PerturbArgs, number]): void;
  perturbRestore(...args: [...PerturbArgs, number]): void;
  update(
    params: Float32Array,
    offset: number,
    tensor: number,
    seeds: Uint32Array,
    coefficients: Float64Array,
    scales: Float64Array,
    zeroPoints: Float64Array,
    levels: number,
    lr: number,
    weightDecay: number,
  ): void;
  matmulInt4(
    x: Float32Array,
    m: number,
    k: number,
    n: number,
    blockSize: number,
    packed: Uint8Array,
    scales: Float32Array,
    zeroPoints: Uint8Array | null,
    loraA: Float32Array | null,
    loraB: Float32Array | null,
    rank: number,
    loraScale: number,
    out: Float32Array,
  ): void;
}

type PerturbArgs = [
  params: Float32Array,
  offset: number,
  seed: number,
  tensor: number,
  scale: number,
  zeroPoint: number,
  levels: number,
  eps: number,
  hints: Uint8Array,
  ledgerIndex: Uint32Array,
  ledgerValue: Float32Array,
];

function noiseArgs(noise: NoiseSpec): [number, number, number, number, number] {
  const q = noise.quantizer;
  return [noise.seed >>> 0, noise.tensor >>> 0, q ? q.scale : 0, q ? q.zeroPoint : 0, q ? q.levels : 0];
}

export function wrapAddonKernels(fns: AddonKernelFunctions, backend: 'cpu' | 'cuda'): KernelSet {
  return {
    backend,
    gaussian(out, seed, tensor, offset) {
      fns.gaussian(out, seed >>> 0, tensor >>> 0, offset);
    },
    gaussianRange(seed, tensor, length) {
      const [min, max] = fns.gaussianRange(seed >>> 0, tensor >>> 0, length);
      return { min, max };
    },
    stochasticRound(input, output, bits, seed, stream, codes): QuantizeResult {
      const [scale, zeroPoint, levels, min, max] = fns.stochasticRound(
        input,
        output,
        bits,
        seed >>> 0,
        stream >>> 0,
        codes ?? null,
      );
      return { scale, zeroPoint, levels, min, max };
    },
    perturbPlus(params, offset, noise, eps, hints, ledgerIndex, ledgerValue) {
      return fns.perturbPlus(params, offset, ...noiseArgs(noise), eps, hints, ledgerIndex, ledgerValue);
    },
    perturbMinus(params, offset, noise, eps, hints, ledgerIndex, ledgerValue, ledgerCount) {
      fns.perturbMinus(
        params,
        offset,
        ...noiseArgs(noise),
        eps,
        hints,
        ledgerIndex,
        ledgerValue,
        ledgerCount,
      );
    },
    perturbRestore(params, offset, noise, eps, hints, ledgerIndex, ledgerValue, ledgerCount) {
      fns.perturbRestore(
        params,
        offset,
        ...noiseArgs(noise),
        eps,
        hints,
        ledgerIndex,
        ledgerValue,
        ledgerCount,
      );
    },
    update(params, offset, tensor, directions: readonly UpdateDirection[], lr, weightDecay) {
      const n = directions.length;
      const seeds = new Uint32Array(n);
      const coefficients = new Float64Array(n);
      const scales = new Float64Array(n);
      const zeroPoints = new Float64Array(n);
      let levels = 0;
      directions.forEach((d, j) => {
        seeds[j] = d.seed >>> 0;
        coefficients[j] = d.coefficient;
        if (d.quantizer) {
          // A direction without a quantizer among quantized ones passes through (scale 0), as in TS.
          levels = d.quantizer.levels;
          scales[j] = d.quantizer.scale;
          zeroPoints[j] = d.quantizer.zeroPoint;
        }
      });
      fns.update(
        params,
        offset,
        tensor >>> 0,
        seeds,
        coefficients,
        scales,
        zeroPoints,
        levels,
        lr,
        weightDecay,
      );
    },
    matmulInt4(x: Float32Array, m: number, w: Int4Matrix, lora: LoraTerm | null, out: Float32Array) {
      fns.matmulInt4(
        x,
        m,
        w.k,
        w.n,
        w.blockSize,
        w.packed,
        w.scales,
        w.zeroPoints ?? null,
        lora ? lora.a : null,
        lora ? lora.b : null,
        lora ? lora.rank : 0,
        lora ? lora.scale : 0,
        out,
      );
    },
  };
}
