/**
 * Blobs in the same PostgreSQL database as the records, so that workers on several machines
 * share images as they share experiences. Content-addressed like the file store.
 */
import type { Pool } from 'pg';
import { type BlobStore, type ImageMime, imageRef, refHash, sha256Hex } from '../../blobs/blob-store';
import { CorruptDatabaseError } from '../../errors/corrupt-database-error';
import type { ImageRef } from '../../schema/experience-schema';

export class PostgresBlobStore implements BlobStore {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async put(bytes: Uint8Array, mime: ImageMime): Promise<ImageRef> {
    const ref = imageRef(bytes, mime);
    await this.pool.query(
      `INSERT INTO "${this.schema}".blobs (sha256, mime, size, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
      [ref.sha256, ref.mime, ref.size, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
    return ref;
  }

  async get(ref: ImageRef | string): Promise<Uint8Array | undefined> {
    const hash = refHash(ref);
    const { rows } = await this.pool.query<{ bytes: Buffer }>(
      `SELECT bytes FROM "${this.schema}".blobs WHERE sha256 = $1`,
      [hash],
    );
    const bytes = rows[0]?.bytes;
    if (!bytes) return undefined;
    if (sha256Hex(bytes) !== hash) {
      throw new CorruptDatabaseError(
        `${this.schema}.blobs/${hash}`,
        'blob content does not match its sha256',
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async has(ref: ImageRef | string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM "${this.schema}".blobs WHERE sha256 = $1`, [
      refHash(ref),
    ]);
    return (rowCount ?? 0) > 0;
  }
}
