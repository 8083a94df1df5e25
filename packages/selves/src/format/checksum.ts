/**
 * The checksum every adapter saved here carries: SHA-256 over its tensors in name order (name,
 * dtype, shape, raw little-endian bytes). It depends on the tensors only, not on how the file
 * orders or pads them, so it can be recomputed from any reader's output.
 */
import { createHash } from 'node:crypto';

export interface ChecksumTensor {
  dtype: string;
  shape: readonly number[];
  data: ArrayBufferView;
}

export function tensorsChecksum(tensors: ReadonlyMap<string, ChecksumTensor>): string {
  const hash = createHash('sha256');
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    hash.update(`${name}\0${t.dtype}\0[${t.shape.join(',')}]\0`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return `sha256:${hash.digest('hex')}`;
}

/** SHA-256 of a file's bytes, as `sha256:<hex>`. */
export function bytesChecksum(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
