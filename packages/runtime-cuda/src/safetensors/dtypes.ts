/**
 * The safetensors element types: their width in bits, the typed array a reader hands back, and
 * their rank in Hugging Face's `Dtype` enum. The writer orders tensors by descending rank (the
 * enum is declared in increasing alignment), then by name, exactly as `tensor.rs` does, so files
 * written here are byte-identical to `safetensors.serialize` for the same tensors.
 */

export const SAFETENSORS_DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/**
 * What a tensor's `data` is. F16 and BF16 come back as raw `Uint16Array` bits (Node 20 has no
 * Float16Array; see `tensorToFloat32`), C64 as interleaved real/imaginary `Float32Array`, and the
 * sub-byte and 8-bit float formats as raw `Uint8Array` bytes.
 */
export type TensorData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
};

interface DtypeInfo {
  bits: number;
  rank: number;
  array: TypedArrayConstructor;
}

const arrayOf: Record<SafetensorsDtype, TypedArrayConstructor> = {
  BOOL: Uint8Array,
  F4: Uint8Array,
  F6_E2M3: Uint8Array,
  F6_E3M2: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  F8_E8M0: Uint8Array,
  F8_E4M3FNUZ: Uint8Array,
  F8_E5M2FNUZ: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  C64: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

const bitsOf: Partial<Record<SafetensorsDtype, number>> = { F4: 4, F6_E2M3: 6, F6_E3M2: 6, C64: 64 };

const table = new Map<string, DtypeInfo>(
  SAFETENSORS_DTYPES.map((name, rank) => {
    const array = arrayOf[name];
    return [name, { bits: bitsOf[name] ?? array.BYTES_PER_ELEMENT * 8, rank, array }];
  }),
);

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && table.has(value);
}

export function dtypeInfo(dtype: SafetensorsDtype): DtypeInfo {
  // The table is built from the same list the type comes from, so the lookup cannot miss.
  return table.get(dtype) as DtypeInfo;
}
