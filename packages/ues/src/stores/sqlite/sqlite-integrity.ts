/**
 * Checks that run before the store writes anything to an existing file, so that a damaged
 * database is reported, never "repaired" by being re-initialized over.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { CorruptDatabaseError } from '../../errors/corrupt-database-error';

const MAGIC = 'SQLite format 3\u0000';

/**
 * Reads the 100-byte SQLite header: magic string, page size, and (when the header's size field is
 * current and no WAL is pending) whether the file holds as many pages as the header says.
 * Returns false for a file that does not exist or is empty (a new store).
 */
export function checkHeader(path: string): boolean {
  if (!existsSync(path)) return false;
  const size = statSync(path).size;
  if (size === 0) return false;
  if (size < 100)
    throw new CorruptDatabaseError(path, `file is ${size} bytes, shorter than a SQLite header (truncated)`);
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== MAGIC) {
    const shown = JSON.stringify(header.toString('latin1', 0, 16));
    throw new CorruptDatabaseError(path, `not a SQLite database (header starts ${shown})`);
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new CorruptDatabaseError(path, `header has an invalid page size ${rawPageSize}`);
  }
  // A pending WAL may legitimately hold pages the main file does not have yet (an interrupted
  // checkpoint); SQLite recovers those on open, and quick_check covers the rest.
  const wal = `${path}-wal`;
  const walPending = existsSync(wal) && statSync(wal).size > 0;
  if (walPending) return true;
  if (size % pageSize !== 0) {
    throw new CorruptDatabaseError(
      path,
      `file size ${size} is not a multiple of its page size ${pageSize} (truncated)`,
    );
  }
  const changeCounter = header.readUInt32BE(24);
  const pages = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  if (validFor === changeCounter && pages > 0 && pages * pageSize > size) {
    throw new CorruptDatabaseError(
      path,
      `truncated: the header says ${pages} pages (${pages * pageSize} bytes) but the file has ${size} bytes`,
    );
  }
  return true;
}

/** SQLite's own check of every page and index: `quick` is O(size) without cross-checking indexes. */
export function checkPages(db: BetterSqlite3.Database, path: string, level: 'quick' | 'full'): void {
  const pragma = level === 'full' ? 'integrity_check(20)' : 'quick_check(20)';
  let rows: string[];
  try {
    rows = (db.pragma(pragma) as Record<string, string>[]).map((r) => Object.values(r)[0] as string);
  } catch (error) {
    throw new CorruptDatabaseError(path, `SQLite ${pragma} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (rows.length !== 1 || rows[0] !== 'ok') {
    throw new CorruptDatabaseError(path, `SQLite ${pragma} found: ${rows.slice(0, 5).join('; ')}`);
  }
}

/** SQLite error codes that mean the file itself is damaged. */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_VTAB';
}
