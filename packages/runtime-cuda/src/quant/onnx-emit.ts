/**
 * Emitting quantized layers into ONNX graphs (OnnxGraphBuilder). A quantized linear becomes one
 * `MatMulNBits` (com.microsoft) per part, the parts' outputs added (SplitQuantV2 has three), or,
 * for opset >= 21 models, `DequantizeLinear` (uint4, blocked along K) + `MatMul` per part. Also the
 * per-token activation fake quantization and an RMSNorm built from opset-independent primitives.
 * Models (the synthetic outlier stack, chimera-nano's builder) call these to build their graphs.
 */
import type { OnnxGraphBuilder } from '../onnx/graph-builder';
import { addMatMulNBits, type MatMulNBitsWeights, packMatMulNBits } from '../onnx/matmul-nbits';
import { QuantError } from './quant-error';
import type { QuantizedLinear } from './quantized-linear';
import { groupsOf, type QuantizedWeight } from './rtn';

export type QuantizedLinearFormat = 'matmulnbits' | 'dequantize-linear';

export interface QuantizedLinearEmitOptions {
  /** Prefix of the initializers' names. */
  name: string;
  /**
   * Default `matmulnbits`. `dequantize-linear` needs a model at opset >= 21, and a session with
   * `extra: { session: { qdq_matmulnbits_accuracy_level: '0' } }`: at optimization level "all"
   * onnxruntime otherwise fuses it into MatMulNBits with int8 activations (~1e-3 error).
   */
  format?: QuantizedLinearFormat;
  /** MatMulNBits accuracy level: 0 (default) keeps activations float32; 4 quantizes them to int8. */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
}

/**
 * One part as MatMulNBits weights. MatMulNBits needs a power-of-two block of at least 16; a
 * per-channel part (one group spanning K) uses the next power of two and the padding stays empty.
 */
export function toMatMulNBitsWeights(part: QuantizedWeight): MatMulNBitsWeights {
  const groups = groupsOf(part);
  let blockSize = part.groupSize;
  const powerOfTwo = blockSize >= 16 && (blockSize & (blockSize - 1)) === 0;
  if (!powerOfTwo) {
    if (groups !== 1) {
      throw new QuantError(
        `MatMulNBits needs a power-of-two group size >= 16, got ${part.groupSize}; quantize with groupSize 32 (or 'channel'), or emit format 'dequantize-linear'`,
      );
    }
    blockSize = 16;
    while (blockSize < part.k) blockSize *= 2;
  }
  return {
    k: part.k,
    n: part.n,
    blockSize,
    codes: part.codes,
    scales: part.scales,
    ...(part.symmetric ? {} : { zeroPoints: part.zeroPoints }),
  };
}

/** Emits `input @ W_q` for a quantized layer; returns the output name. `input` is float32 [..., K]. */
export function addQuantizedLinear(
  builder: OnnxGraphBuilder,
  input: string,
  layer: QuantizedLinear,
  options: QuantizedLinearEmitOptions,
): string {
  const format = options.format ?? 'matmulnbits';
  const outputs = layer.parts.map((part, i) => {
    const name = layer.parts.length === 1 ? options.name : `${options.name}.part${i}`;
    if (format === 'matmulnbits') {
      return addMatMulNBits(builder, input, packMatMulNBits(toMatMulNBitsWeights(part)), {
        name,
        accuracyLevel: options.accuracyLevel ?? 0,
      });
    }
    if (format === 'dequantize-linear') return addDequantizeMatMul(builder, input, part, name);
    throw new QuantError(
      `unknown format ${JSON.stringify(format)}; use 'matmulnbits' or 'dequantize-linear'`,
    );
  });
  return outputs.reduce((sum, next) => builder.op('Add', [sum, next]));
}

/** DequantizeLinear (uint4 codes [K, N], blocked along K, opset 21) followed by MatMul. */
function addDequantizeMatMul(
  builder: OnnxGraphBuilder,
  input: string,
  part: QuantizedWeight,
  name: string,
): string {
  const { k, n, groupSize } = part;
  const groups = groupsOf(part);
  const codes = new Uint8Array(Math.ceil((k * n) / 2));
  const zeros = new Uint8Array(Math.ceil((groups * n) / 2));
  const scales = new Float32Array(groups * n);
  for (let col = 0; col < n; col++) {
    for (let i = 0; i < k; i++) {
      const at = i * n + col;
      codes[at >> 1]! |= (part.codes[col * k + i] as number) << ((at & 1) * 4);
    }
    for (let g = 0; g < groups; g++) {
      const at = g * n + col;
      scales[at] = part.scales[col * groups + g] as number;
      zeros[at >> 1]! |= (part.zeroPoints[col * groups + g] as number) << ((at & 1) * 4);
    }
  }
  const weight = builder.op(
    'DequantizeLinear',
    [
      builder.initializer(`${name}.qweight`, { type: 'uint4', dims: [k, n], data: codes }),
      builder.initializer(`${name}.scales`, { type: 'float32', dims: [groups, n], data: scales }),
      builder.initializer(`${name}.zero_points`, { type: 'uint4', dims: [groups, n], data: zeros }),
    ],
    { axis: 0, block_size: groupSize },
  );
  return builder.op('MatMul', [input, weight]);
}

/**
 * Per-token symmetric fake quantization of `input` [rows, d] to `bits` (see activation-quant.ts).
 * `opset` decides how ReduceMax takes its axes (an attribute before 18, an input from 18 on).
 */
export function addActivationQuantization(
  builder: OnnxGraphBuilder,
  input: string,
  bits: number,
  opset = 17,
): string {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16)
    throw new QuantError(`activation bits must be in 2..16, got ${bits}`);
  const qmax = 2 ** (bits - 1) - 1;
  const absMax =
    opset >= 18
      ? builder.op('ReduceMax', [builder.op('Abs', [input]), constant(builder, 'int64', [1], [-1])], {
          keepdims: 1,
        })
      : builder.op('ReduceMax', [builder.op('Abs', [input])], { axes: [-1], keepdims: 1 });
  // A zero row keeps scale 1 (as the TypeScript reference does) instead of dividing by zero.
  const isZero = builder.op('Equal', [absMax, constant(builder, 'float32', [], [0])]);
  const scale = builder.op('Where', [
    isZero,
    constant(builder, 'float32', [], [1]),
    builder.op('Div', [absMax, constant(builder, 'float32', [], [qmax])]),
  ]);
  const q = builder.op('Clip', [
    builder.op('Round', [builder.op('Div', [input, scale])]),
    constant(builder, 'float32', [], [-qmax - 1]),
    constant(builder, 'float32', [], [qmax]),
  ]);
  return builder.op('Mul', [q, scale]);
}

/** x / sqrt(mean(x^2) + eps) * gamma over the last axis, from MatMul/Sqrt/Div (valid at every opset). */
export function addRmsNorm(
  builder: OnnxGraphBuilder,
  input: string,
  gamma: Float32Array,
  name: string,
  eps = 1e-6,
): string {
  const d = gamma.length;
  const mean = builder.op('MatMul', [
    builder.op('Mul', [input, input]),
    constant(builder, 'float32', [d, 1], new Float32Array(d).fill(1 / d)),
  ]);
  const rms = builder.op('Sqrt', [builder.op('Add', [mean, constant(builder, 'float32', [], [eps])])]);
  const normed = builder.op('Div', [input, rms]);
  return builder.op('Mul', [normed, builder.initializer(name, { type: 'float32', dims: [d], data: gamma })]);
}

function constant(
  builder: OnnxGraphBuilder,
  type: 'float32' | 'int64',
  dims: number[],
  data: ArrayLike<number>,
): string {
  return builder.initializer(builder.uniqueName('const'), {
    type,
    dims,
    data: type === 'int64' ? Array.from(data) : Float32Array.from(data),
  });
}
