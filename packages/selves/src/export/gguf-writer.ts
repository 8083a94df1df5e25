/**
 * A GGUF v3 file writer (the container llama.cpp reads models and adapters from), written from the
 * format description in ggml's docs: magic `GGUF`, version 3, tensor count and key-value count
 * (uint64), the key-values, the tensor infos (name, dims innermost first, ggml type, offset), then
 * the tensor data, each tensor starting at a multiple of the alignment (32 unless
 * `general.alignment` says otherwise). Little-endian only, as every llama.cpp build reads.
 */
import { AdapterFormatError } from '../errors/adapter-format-error';

/** GGUF metadata value types (gguf.h `gguf_type`). */
export const GGUF_VALUE_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** ggml tensor types this writer stores (ggml.h `ggml_type`). */
export const GGML_TYPE = { F32: 0, F16: 1 } as const;

export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'float32'; value: number }
  | { type: 'uint32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'uint32[]'; value: readonly number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: ne[0] (the contiguous, innermost dimension) first. */
  dims: readonly number[];
  type: keyof typeof GGML_TYPE;
  /** Raw little-endian element bytes: 4 per element for F32, 2 for F16. */
  data: Uint8Array;
}

export const GGUF_DEFAULT_ALIGNMENT = 32;

const utf8 = new TextEncoder();

/** Grows as it is written; little-endian throughout. */
class ByteSink {
  private buffer = new Uint8Array(4096);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number | bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buffer.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = utf8.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function writeValue(sink: ByteSink, key: string, value: GgufValue): void {
  sink.string(key);
  switch (value.type) {
    case 'string':
      sink.u32(GGUF_VALUE_TYPE.STRING);
      sink.string(value.value);
      return;
    case 'float32':
      sink.u32(GGUF_VALUE_TYPE.FLOAT32);
      sink.f32(value.value);
      return;
    case 'uint32':
      sink.u32(GGUF_VALUE_TYPE.UINT32);
      sink.u32(value.value);
      return;
    case 'bool':
      sink.u32(GGUF_VALUE_TYPE.BOOL);
      sink.u8(value.value ? 1 : 0);
      return;
    case 'string[]':
      sink.u32(GGUF_VALUE_TYPE.ARRAY);
      sink.u32(GGUF_VALUE_TYPE.STRING);
      sink.u64(value.value.length);
      for (const s of value.value) sink.string(s);
      return;
    case 'uint32[]':
      sink.u32(GGUF_VALUE_TYPE.ARRAY);
      sink.u32(GGUF_VALUE_TYPE.UINT32);
      sink.u64(value.value.length);
      for (const v of value.value) sink.u32(v);
      return;
  }
}

const BYTES_PER_ELEMENT = { F32: 4, F16: 2 } as const;

/**
 * Serializes metadata and tensors to GGUF v3 bytes. Keys keep the given order.
 * @throws AdapterFormatError for a tensor whose byte length does not match its dims, or a
 * duplicate tensor name.
 */
export function writeGguf(
  metadata: ReadonlyMap<string, GgufValue> | Readonly<Record<string, GgufValue>>,
  tensors: readonly GgufTensor[],
): Uint8Array {
  const entries = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  const alignmentEntry = entries.find(([k]) => k === 'general.alignment')?.[1];
  const alignment = alignmentEntry?.type === 'uint32' ? alignmentEntry.value : GGUF_DEFAULT_ALIGNMENT;
  const seen = new Set<string>();
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (seen.has(t.name))
      throw new AdapterFormatError('invalid-config', `GGUF tensor "${t.name}" is written twice`);
    seen.add(t.name);
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (t.data.byteLength !== count * BYTES_PER_ELEMENT[t.type]) {
      throw new AdapterFormatError(
        'wrong-shape',
        `GGUF tensor "${t.name}": ${t.type} [${t.dims}] needs ${count * BYTES_PER_ELEMENT[t.type]} bytes, got ${t.data.byteLength}`,
      );
    }
    offsets.push(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }
  const sink = new ByteSink();
  sink.bytes(utf8.encode('GGUF'));
  sink.u32(3);
  sink.u64(tensors.length);
  sink.u64(entries.length);
  for (const [key, value] of entries) writeValue(sink, key, value);
  tensors.forEach((t, i) => {
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(GGML_TYPE[t.type]);
    sink.u64(offsets[i]!);
  });
  sink.padTo(alignment);
  for (const t of tensors) {
    sink.bytes(t.data);
    sink.padTo(alignment);
  }
  return sink.finish();
}
