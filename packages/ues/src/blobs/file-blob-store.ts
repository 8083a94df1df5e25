/**
 * Blobs as files under a directory, `ab/abcdef...` by hash. A put writes a temporary file, syncs
 * it, and renames it into place, so a crash leaves either the whole blob or nothing; a get checks
 * the hash so a damaged file is reported, never returned.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptDatabaseError } from '../errors/corrupt-database-error';
import type { ImageRef } from '../schema/experience-schema';
import { type BlobStore, type ImageMime, imageRef, refHash, sha256Hex } from './blob-store';

export class FileBlobStore implements BlobStore {
  constructor(readonly directory: string) {}

  #path(hash: string): string {
    return join(this.directory, hash.slice(0, 2), hash);
  }

  async put(bytes: Uint8Array, mime: ImageMime): Promise<ImageRef> {
    const ref = imageRef(bytes, mime);
    const target = this.#path(ref.sha256);
    if (await exists(target)) return ref;
    await mkdir(join(this.directory, ref.sha256.slice(0, 2)), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return ref;
  }

  async get(ref: ImageRef | string): Promise<Uint8Array | undefined> {
    const hash = refHash(ref);
    const path = this.#path(hash);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (sha256Hex(bytes) !== hash)
      throw new CorruptDatabaseError(path, 'blob content does not match its sha256');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async has(ref: ImageRef | string): Promise<boolean> {
    return exists(this.#path(refHash(ref)));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
