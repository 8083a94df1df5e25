/**
 * ONNX element types by name, their TensorProto.DataType codes, and the typed arrays that hold
 * them. Names follow onnxruntime-node's tensor type strings where one exists (`float32`, `int64`).
 */
import { OnnxGraphError } from './onnx-graph-error';

export type OnnxElementType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'uint4'
  | 'int4';

/** TensorProto.DataType codes (onnx.proto). */
export const ONNX_DATA_TYPE: Readonly<Record<OnnxElementType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  uint4: 21,
  int4: 22,
};

export type OnnxTensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[];

/** A constant tensor (an initializer or a Constant node's value). float16 data is given as raw Uint16 bits; 4-bit types as packed bytes (low nibble first). */
export interface OnnxTensor {
  type: OnnxElementType;
  dims: readonly number[];
  data: OnnxTensorData;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Bytes of raw_data for `count` elements, little-endian (x86 and ARM typed arrays are little-endian). */
export function tensorRawBytes(tensor: OnnxTensor, name: string): Uint8Array {
  const count = elementCount(tensor.dims);
  for (const d of tensor.dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new OnnxGraphError(`tensor "${name}": dims must be non-negative integers, got [${tensor.dims}]`);
    }
  }
  const expected = tensor.type === 'uint4' || tensor.type === 'int4' ? Math.ceil(count / 2) : count;
  const typed = toTypedArray(tensor, name);
  if (typed.length !== expected) {
    throw new OnnxGraphError(
      `tensor "${name}": ${tensor.type} [${tensor.dims}] needs ${expected} values, got ${typed.length}`,
    );
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function toTypedArray(tensor: OnnxTensor, name: string): Exclude<OnnxTensorData, readonly number[]> {
  const { type, data } = tensor;
  const wanted = arrayConstructor(type);
  if (data instanceof wanted) return data as unknown as Exclude<OnnxTensorData, readonly number[]>;
  if (Array.isArray(data)) {
    if (type === 'int64') return BigInt64Array.from(data as number[], (v) => BigInt(v));
    if (type === 'uint64') return BigUint64Array.from(data as number[], (v) => BigInt(v));
    return (
      wanted as unknown as { from(v: readonly number[]): Exclude<OnnxTensorData, readonly number[]> }
    ).from(data as number[]);
  }
  throw new OnnxGraphError(
    `tensor "${name}": ${type} data must be a ${wanted.name} or a number array, got ${data.constructor.name}`,
  );
}

function arrayConstructor(type: OnnxElementType): new (length: number) => ArrayBufferView {
  switch (type) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int8':
      return Int8Array;
    case 'uint8':
    case 'bool':
    case 'uint4':
    case 'int4':
      return Uint8Array;
    case 'int16':
      return Int16Array;
    case 'uint16':
    case 'float16':
      return Uint16Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'int64':
      return BigInt64Array;
    case 'uint64':
      return BigUint64Array;
  }
}
