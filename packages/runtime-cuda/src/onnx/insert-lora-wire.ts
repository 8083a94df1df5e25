/**
 * Just enough protobuf reading to rewrite an ONNX model without a protobuf runtime: a message is
 * split into its fields, each keeping the exact bytes it was read from, so everything the rewrite
 * does not touch (weights, attributes, fields of newer ONNX versions) is copied back unchanged.
 */
import { OnnxGraphError } from './onnx-graph-error';

export interface WireField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  /** The whole field as stored (tag included): what a rewrite copies back. */
  raw: Uint8Array;
  /** Length-delimited payload (a string, bytes or a submessage). */
  payload?: Uint8Array;
  /** Varint value. */
  value?: bigint;
}

function readVarint(bytes: Uint8Array, at: number, what: string): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new OnnxGraphError(
    `${what}: truncated or malformed varint at byte ${at}; the model bytes are damaged`,
  );
}

/** Splits one message into its fields, in stored order. Throws OnnxGraphError on damaged bytes. */
export function readFields(bytes: Uint8Array, what: string): WireField[] {
  const fields: WireField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = readVarint(bytes, at, what);
    at = tag.next;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (field === 0)
      throw new OnnxGraphError(`${what}: field number 0 at byte ${start}; not a protobuf message`);
    if (wire === 0) {
      const v = readVarint(bytes, at, what);
      at = v.next;
      fields.push({ field, wire, raw: bytes.subarray(start, at), value: v.value });
    } else if (wire === 2) {
      const length = readVarint(bytes, at, what);
      const end = length.next + Number(length.value);
      if (end > bytes.length) {
        throw new OnnxGraphError(
          `${what}: field ${field} claims ${length.value} bytes but only ${bytes.length - length.next} remain; the model is truncated`,
        );
      }
      fields.push({
        field,
        wire,
        raw: bytes.subarray(start, end),
        payload: bytes.subarray(length.next, end),
      });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const end = at + (wire === 1 ? 8 : 4);
      if (end > bytes.length) throw new OnnxGraphError(`${what}: truncated fixed-width field ${field}`);
      fields.push({ field, wire, raw: bytes.subarray(start, end) });
      at = end;
    } else {
      throw new OnnxGraphError(`${what}: unsupported wire type ${wire} at byte ${start}; not an ONNX model`);
    }
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function fieldString(field: WireField): string {
  return utf8.decode(field.payload ?? new Uint8Array());
}

/** Values of a repeated int64 field, packed or not. */
export function repeatedVarints(fields: readonly WireField[], number: number, what: string): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.field !== number) continue;
    if (f.wire === 0) out.push(f.value!);
    else if (f.wire === 2) {
      let at = 0;
      const p = f.payload!;
      while (at < p.length) {
        const v = readVarint(p, at, what);
        out.push(v.value);
        at = v.next;
      }
    }
  }
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
