/**
 * Conversions between safetensors element types and Float32Array, for the formats adapters and
 * weights actually ship in (F32, F16, BF16, F64, and the integer types).
 */
import type { SafetensorsDtype } from './dtypes';
import type { SafetensorsTensor } from './safetensors';
import { SafetensorsError } from './safetensors-error';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits to a float (subnormals, infinities and NaN included). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A float to IEEE half-precision bits, rounding to nearest even (overflow gives infinity). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to infinity: still the right rounding.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** bfloat16 bits to a float (exact: bf16 is the top half of a float32). */
export function bfloat16ToFloat(bits: number): number {
  u32[0] = bits << 16;
  return f32[0] as number;
}

/** A float to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
export function floatToBfloat16(value: number): number {
  f32[0] = value;
  const x = u32[0] as number;
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * A tensor's elements as float32. F16 and BF16 are decoded; integers are converted exactly where
 * float32 allows. Sub-byte, 8-bit-float and complex types are refused (decode them yourself).
 */
export function tensorToFloat32(tensor: SafetensorsTensor): Float32Array {
  const { dtype, data } = tensor;
  switch (dtype) {
    case 'F32':
      return Float32Array.from(data as Float32Array);
    case 'F16':
      return Float32Array.from(data as Uint16Array, halfToFloat);
    case 'BF16':
      return Float32Array.from(data as Uint16Array, bfloat16ToFloat);
    case 'F64':
    case 'I8':
    case 'U8':
    case 'BOOL':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
      return Float32Array.from(data as ArrayLike<number>);
    case 'I64':
    case 'U64':
      return Float32Array.from(data as BigInt64Array, (v) => Number(v));
    default:
      throw new SafetensorsError(
        'invalid-tensor',
        `safetensors: cannot convert ${dtype} to float32; read its raw bytes from tensor.data instead`,
      );
  }
}

/** Builds a float tensor for the writer from float32 values, encoding to F16 or BF16 when asked. */
export function float32Tensor(
  data: Float32Array,
  shape: readonly number[],
  dtype: Extract<SafetensorsDtype, 'F32' | 'F16' | 'BF16'> = 'F32',
): SafetensorsTensor {
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== data.length) {
    throw new SafetensorsError(
      'invalid-tensor',
      `safetensors: shape [${shape.join(', ')}] has ${numel} elements but the data has ${data.length}`,
    );
  }
  if (dtype === 'F32') return { dtype, shape: [...shape], data: Float32Array.from(data) };
  const encode = dtype === 'F16' ? floatToHalf : floatToBfloat16;
  return { dtype, shape: [...shape], data: Uint16Array.from(data, encode) };
}
