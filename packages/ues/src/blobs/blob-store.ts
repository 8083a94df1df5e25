/**
 * Content-addressed storage for images (JPEG screenshots, PNG frames). A blob's address is the
 * sha256 of its bytes, so the same frame stored twice is kept once, and a record's reference can
 * be checked against what comes back.
 */
import { createHash } from 'node:crypto';
import { UesError } from '../errors/ues-error';
import type { ImageRef } from '../schema/experience-schema';

export type ImageMime = ImageRef['mime'];

export interface BlobStore {
  /** Stores the bytes (once per content) and returns the reference to put in a record. */
  put(bytes: Uint8Array, mime: ImageMime): Promise<ImageRef>;
  /** The bytes of a stored blob, checked against their hash; undefined when not stored. */
  get(ref: ImageRef | string): Promise<Uint8Array | undefined>;
  has(ref: ImageRef | string): Promise<boolean>;
  close?(): Promise<void>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function refHash(ref: ImageRef | string): string {
  const hash = typeof ref === 'string' ? ref.replace(/^sha256:/, '') : ref.sha256;
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new UesError(`not a blob reference: ${String(hash).slice(0, 80)}`);
  return hash;
}

/** Width and height from a PNG IHDR or a JPEG SOF marker; undefined when not found. */
function dimensions(bytes: Uint8Array, mime: ImageMime): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (mime === 'image/png') {
    if (bytes.length < 24) return undefined;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    const length = view.getUint16(i + 2);
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

/**
 * Refuses bytes that are not what `mime` says (a common bug: a PNG buffer labelled JPEG, or an
 * empty screenshot), and builds the reference.
 */
export function imageRef(bytes: Uint8Array, mime: ImageMime): ImageRef {
  if (!(bytes instanceof Uint8Array)) throw new UesError('blob bytes must be a Uint8Array (or Buffer)');
  const isPng =
    bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (mime === 'image/png' && !isPng) {
    throw new UesError(
      `bytes labelled image/png do not start with the PNG signature${isJpeg ? ' (they are a JPEG)' : ''}`,
    );
  }
  if (mime === 'image/jpeg' && !isJpeg) {
    throw new UesError(
      `bytes labelled image/jpeg do not start with a JPEG SOI marker${isPng ? ' (they are a PNG)' : ''}`,
    );
  }
  if (mime !== 'image/png' && mime !== 'image/jpeg') {
    throw new UesError(`unsupported blob type ${String(mime)}: image/jpeg or image/png`);
  }
  const ref: ImageRef = { sha256: sha256Hex(bytes), mime, size: bytes.length };
  const dims = dimensions(bytes, mime);
  if (dims && dims.width > 0 && dims.height > 0) {
    ref.width = dims.width;
    ref.height = dims.height;
  }
  return ref;
}

/** Blobs in memory: for tests and `:memory:` stores. */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  async put(bytes: Uint8Array, mime: ImageMime): Promise<ImageRef> {
    const ref = imageRef(bytes, mime);
    if (!this.#blobs.has(ref.sha256)) this.#blobs.set(ref.sha256, new Uint8Array(bytes));
    return ref;
  }

  async get(ref: ImageRef | string): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(refHash(ref));
    return bytes ? new Uint8Array(bytes) : undefined;
  }

  async has(ref: ImageRef | string): Promise<boolean> {
    return this.#blobs.has(refHash(ref));
  }

  get size(): number {
    return this.#blobs.size;
  }
}
