import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { webEpisode } from '../../__fixtures__/experiences';
import { v1Record } from '../../__fixtures__/v1-record';
import { SchemaValidationError } from '../../errors/schema-validation-error';
import { SqliteExperienceStore } from '../sqlite/sqlite-experience-store';
import { exportJsonl, importJsonl } from './jsonl';

const dir = mkdtempSync(join(tmpdir(), 'ues-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSONL export and import', () => {
  it('round-trips records and their signal history between stores', async () => {
    // #region jsonl-round-trip
    const source = await SqliteExperienceStore.open(join(dir, 'source.db'));
    const ids = await source.append(webEpisode('ep-1', 3, 'success'));
    await source.writeSignals([{ id: ids[0]!, tdError: 0.8, source: 'sleep-1' }]);
    await source.writeSignals([{ id: ids[0]!, priority: 2.5, source: 'sleep-2' }]);

    const file = join(dir, 'memory.jsonl');
    const lines = await exportJsonl(source, file);

    const target = await SqliteExperienceStore.open(join(dir, 'target.db'));
    const report = await importJsonl(target, file);
    // #endregion
    expect(lines).toBe(3);
    expect(report).toEqual({ imported: 3, skippedExisting: 0, invalid: [] });
    expect(await target.query()).toEqual(await source.query());
    expect(await target.signalHistory(ids[0]!)).toEqual(await source.signalHistory(ids[0]!));
    expect(await target.episodes()).toEqual(await source.episodes());
    const again = await importJsonl(target, file, { skipExisting: true });
    expect(again).toMatchObject({ imported: 0, skippedExisting: 3 });
    expect(await target.count()).toBe(3);
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    expect(await exportJsonl(source, stream, { filter: { outcome: 'success' }, signals: false })).toBe(1);
    expect(JSON.parse(Buffer.concat(chunks).toString()).outcome).toBe('success');
    await source.close();
    await target.close();
  });

  it('migrates older lines and reports a bad line by number and field', async () => {
    const store = await SqliteExperienceStore.open(':memory:');
    const good = JSON.stringify(v1Record());
    const bad = JSON.stringify(v1Record({ experience_id: 'bad', reward: 'lots' }));
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, `${good}\n\n${bad}\n{not json\n`);
    const error = await importJsonl(store, file).catch((e: unknown) => e);
    expect(SchemaValidationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`${file}:3: field \`reward\``);
    // Lines before the bad one were not committed yet (same batch): nothing half-imported.
    expect(await store.count()).toBe(0);
    const report = await importJsonl(store, file, { onInvalid: 'skip' });
    expect(report.imported).toBe(1);
    expect(report.invalid.map((i) => i.line)).toEqual([3, 4]);
    expect(report.invalid[1]!.error).toMatch(/not valid JSON/);
    expect((await store.get('v1-exp-7'))?.metadata.self.name).toBe('Playwright_Navigator');
    expect(readFileSync(file, 'utf8')).toContain('lots');
    await store.close();
  });
});
