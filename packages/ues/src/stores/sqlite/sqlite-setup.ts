/** Opening checks and table creation for the SQLite store (after the integrity checks). */
import type BetterSqlite3 from 'better-sqlite3';
import { CorruptDatabaseError } from '../../errors/corrupt-database-error';
import { UesError } from '../../errors/ues-error';
import { SQLITE_FORMAT_VERSION, SQLITE_SCHEMA } from './sqlite-schema';

/** True for an empty database (a new store); throws for a foreign or newer one. */
export function inspectStore(db: BetterSqlite3.Database, path: string, readonly: boolean): boolean {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  ).map((t) => t.name);
  if (tables.length === 0) {
    if (readonly) throw new UesError(`${path} is an empty database, not an experience store`);
    return true;
  }
  if (!tables.includes('ues_meta')) {
    throw new UesError(
      `${path} is a SQLite database but not an experience store (it has tables ${tables.slice(0, 5).join(', ')}); ` +
        'open another path',
    );
  }
  const row = db.prepare("SELECT value FROM ues_meta WHERE key = 'format'").get() as
    | { value: string }
    | undefined;
  const format = Number(row?.value);
  if (!row || !Number.isInteger(format))
    throw new CorruptDatabaseError(path, 'ues_meta has no valid format entry');
  if (format > SQLITE_FORMAT_VERSION) {
    throw new UesError(
      `${path} was written by a newer @chimera/ues (store format ${format}, this release knows ${SQLITE_FORMAT_VERSION}); upgrade to open it`,
    );
  }
  return false;
}

export function createSchema(db: BetterSqlite3.Database): void {
  db.transaction(() => {
    // Another process may have created it between inspection and here.
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ues_meta'").get();
    if (exists) return;
    db.exec(SQLITE_SCHEMA);
    db.prepare('INSERT INTO ues_meta (key, value) VALUES (?, ?)').run(
      'format',
      String(SQLITE_FORMAT_VERSION),
    );
  }).immediate();
}
