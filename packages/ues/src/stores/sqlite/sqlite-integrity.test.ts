/**
 * Damaged files are detected on open and reported with the path and what to do; the file is
 * never modified, reset or deleted.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webEpisode } from '../../__fixtures__/experiences';
import { CorruptDatabaseError } from '../../errors/corrupt-database-error';
import { UesError } from '../../errors/ues-error';
import { SqliteExperienceStore } from './sqlite-experience-store';

const dir = mkdtempSync(join(tmpdir(), 'ues-integrity-'));
const good = join(dir, 'good.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = await SqliteExperienceStore.open(good);
  for (let e = 0; e < 40; e++) await store.append(webEpisode(`ep-${e}`, 10, e % 3 ? 'success' : 'failure'));
  await store.close();
});

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Opens a damaged copy; returns the error, and checks the file is byte-for-byte unchanged. */
async function openDamaged(name: string, damage: (path: string) => void): Promise<CorruptDatabaseError> {
  const path = join(dir, name);
  copyFileSync(good, path);
  damage(path);
  const before = digest(path);
  const error = await SqliteExperienceStore.open(path).catch((e: unknown) => e);
  expect(digest(path)).toBe(before);
  expect(CorruptDatabaseError.isInstance(error)).toBe(true);
  const corrupt = error as CorruptDatabaseError;
  expect(corrupt.path).toBe(path);
  expect(corrupt.message).toContain(path);
  expect(corrupt.message).toContain('left untouched');
  return corrupt;
}

describe('opening a damaged database', () => {
  it('reports a truncated file (cut at half its size)', async () => {
    const error = await openDamaged('half.db', (p) => truncateSync(p, Math.floor(statSync(p).size / 2)));
    expect(error.reason).toMatch(/truncated/);
  });

  it('reports a file cut inside its header', async () => {
    const error = await openDamaged('header.db', (p) => truncateSync(p, 60));
    expect(error.reason).toMatch(/shorter than a SQLite header/);
  });

  it('reports a file that is not SQLite at all', async () => {
    const error = await openDamaged('text.db', (p) =>
      writeFileSync(p, 'this is a log file, not a database\n'.repeat(10)),
    );
    expect(error.reason).toMatch(/not a SQLite database/);
  });

  it('reports pages overwritten with garbage (found by quick_check)', async () => {
    const error = await openDamaged('garbage.db', (p) => {
      const bytes = readFileSync(p);
      const pageSize = bytes.readUInt16BE(16);
      // Overwrite the middle of the file, page-aligned, leaving the header intact.
      const start = Math.floor(bytes.length / pageSize / 2) * pageSize;
      for (let i = start; i < start + pageSize * 3 && i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
      writeFileSync(p, bytes);
    });
    expect(error.reason).toMatch(/quick_check|malformed|corrupt/i);
  });

  it('does not mistake a healthy store or an empty file for damage', async () => {
    const store = await SqliteExperienceStore.open(good, { integrityCheck: 'full' });
    expect(await store.count()).toBe(400);
    await store.close();
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const fresh = await SqliteExperienceStore.open(empty);
    expect(await fresh.count()).toBe(0);
    await fresh.close();
  });

  it('refuses a SQLite database that is not an experience store, without touching it', async () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const before = digest(path);
    const error = await SqliteExperienceStore.open(path).catch((e: unknown) => e);
    expect(UesError.isInstance(error) && (error as Error).message).toMatch(/not an experience store/);
    expect(digest(path)).toBe(before);
  });

  it('refuses a store written by a newer release', async () => {
    const path = join(dir, 'newer.db');
    copyFileSync(good, path);
    const db = new Database(path);
    db.prepare("UPDATE ues_meta SET value = '99' WHERE key = 'format'").run();
    db.close();
    await expect(SqliteExperienceStore.open(path)).rejects.toThrow(/newer @chimera\/ues/);
  });
});
