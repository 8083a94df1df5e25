import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePng, tinyJpeg } from '../__fixtures__/images';
import { CorruptDatabaseError } from '../errors/corrupt-database-error';
import { UesError } from '../errors/ues-error';
import { imageRef } from './blob-store';
import { FileBlobStore } from './file-blob-store';

const dir = mkdtempSync(join(tmpdir(), 'ues-blobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileBlobStore', () => {
  it('stores each content once, under its sha256, and returns the same bytes', async () => {
    const blobs = new FileBlobStore(join(dir, 'a'));
    const png = makePng(16, 9, 3);
    const ref = await blobs.put(png, 'image/png');
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ref).toMatchObject({ mime: 'image/png', size: png.length, width: 16, height: 9 });
    const again = await blobs.put(Buffer.from(png), 'image/png');
    expect(again).toEqual(ref);
    const other = await blobs.put(makePng(16, 9, 4), 'image/png');
    expect(other.sha256).not.toBe(ref.sha256);
    const files = readdirSync(join(dir, 'a'), { recursive: true }).filter((f) => String(f).length > 3);
    expect(files).toHaveLength(2);
    expect(Buffer.from((await blobs.get(ref))!)).toEqual(Buffer.from(png));
    expect(Buffer.from((await blobs.get(`sha256:${ref.sha256}`))!)).toEqual(Buffer.from(png));
    expect(await blobs.has(ref)).toBe(true);
    expect(await blobs.get('f'.repeat(64))).toBeUndefined();
  });

  it('reads JPEG dimensions and refuses bytes that are not what the mime type says', async () => {
    expect(imageRef(tinyJpeg, 'image/jpeg')).toMatchObject({ width: 1, height: 1 });
    const blobs = new FileBlobStore(join(dir, 'b'));
    await expect(blobs.put(tinyJpeg, 'image/png')).rejects.toThrow(/PNG signature \(they are a JPEG\)/);
    await expect(blobs.put(new Uint8Array(0), 'image/jpeg')).rejects.toThrow(/JPEG SOI/);
    await expect(blobs.get('not-a-hash')).rejects.toThrow(UesError);
  });

  it('reports a damaged blob instead of returning it', async () => {
    const blobs = new FileBlobStore(join(dir, 'c'));
    const ref = await blobs.put(makePng(4, 4), 'image/png');
    writeFileSync(join(dir, 'c', ref.sha256.slice(0, 2), ref.sha256), 'overwritten');
    const error = await blobs.get(ref).catch((e: unknown) => e);
    expect(CorruptDatabaseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('does not match its sha256');
  });
});
