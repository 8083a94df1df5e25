import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webEpisode } from '../../__fixtures__/experiences';
import { storeContract } from '../../__fixtures__/store-contract';
import { SqliteExperienceStore } from './sqlite-experience-store';

const dir = mkdtempSync(join(tmpdir(), 'ues-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SqliteExperienceStore', () => SqliteExperienceStore.open(join(dir, `contract-${n++}.db`)));

describe('SqliteExperienceStore', () => {
  it('keeps what was committed across close and reopen', async () => {
    const path = join(dir, 'reopen.db');
    const store = await SqliteExperienceStore.open(path);
    const ids = await store.append(webEpisode('r', 3, 'success'));
    await store.close();
    const again = await SqliteExperienceStore.open(path, { synchronous: 'FULL' });
    expect((await again.query({ episodeId: 'r' })).map((r) => r.id)).toEqual(ids);
    expect((await again.episodes())[0]?.success).toBe(true);
    await again.close();
  });

  it('lets a read-only process query while another writes', async () => {
    const path = join(dir, 'shared.db');
    const writer = await SqliteExperienceStore.open(path);
    await writer.append(webEpisode('w1', 2, 'success'));
    const reader = await SqliteExperienceStore.open(path, { readonly: true });
    await writer.append(webEpisode('w2', 2, 'failure'));
    expect(await reader.count()).toBe(4);
    await expect(reader.append(webEpisode('w3', 1, 'success'))).rejects.toThrow(/readonly/i);
    await reader.close();
    await writer.close();
  });

  it('refuses calls after close', async () => {
    const store = await SqliteExperienceStore.open(':memory:');
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed experience store/);
  });
});
