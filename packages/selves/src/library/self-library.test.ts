import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { SelfNotFoundError } from '../errors/self-not-found-error';
import { createPeftAdapter } from '../format/peft-adapter';
import { SelfLibrary } from './self-library';

const root = mkdtempSync(join(tmpdir(), 'chimera-library-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const adapter = (fill: number, base = 'base-1') =>
  createPeftAdapter({
    baseModel: base,
    modules: {
      proj: {
        a: new Float32Array(6).fill(fill),
        b: new Float32Array(6).fill(1),
        rank: 2,
        inFeatures: 3,
        outFeatures: 3,
      },
    },
  });

describe('SelfLibrary', () => {
  it('registers, versions, rolls back and reopens', async () => {
    const dir = join(root, `lib${n++}`);
    // #region library
    const library = await SelfLibrary.open(dir, { baseModel: 'base-1' });
    await library.register(
      { name: 'Web_Researcher', function: 'Searches and extracts', skills: ['extraction'] },
      adapter(0),
    );
    await library.saveVersion('Web_Researcher', adapter(1), {
      reason: 'learned search',
      objectiveId: 'objective-2-0',
    });
    await library.rollback('Web_Researcher', 'validation fell'); // current: v1 again
    // #endregion
    expect(library.current('Web_Researcher')).toBe('v1');
    expect(library.versions('Web_Researcher').map((v) => v.version)).toEqual(['v1', 'v2']);
    expect(library.versionForObjective('Web_Researcher', 'objective-2-0')?.version).toBe('v2');
    await library.setCurrent('Web_Researcher', 'v2', 'roll forward');
    const reopened = await SelfLibrary.open(dir, { baseModel: 'base-1' });
    expect(reopened.current('Web_Researcher')).toBe('v2');
    expect(reopened.history('Web_Researcher').map((e) => `${e.action}:${e.version}`)).toEqual([
      'register:v1',
      'commit:v2',
      'revert:v1',
      'revert:v2',
    ]);
    expect(reopened.metadata('Web_Researcher')).toMatchObject({
      acting: true,
      skills: ['extraction'],
      lineage: { method: 'roster' },
    });
    expect(Array.from((await reopened.loadAdapter('Web_Researcher', 'v1')).modules.get('proj')!.a)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).format).toBe('chimera-selves/1');
  });

  it('refuses other base models, unknown Selves and swapped files, with reasons', async () => {
    const dir = join(root, `lib${n++}`);
    const library = await SelfLibrary.open(dir, { baseModel: 'base-1' });
    await library.register({ name: 'A', function: 'a' }, adapter(0));
    await library.register({ name: 'B', function: 'b' }, adapter(5));
    await expect(library.register({ name: 'C', function: 'c' }, adapter(0, 'base-2'))).rejects.toThrow(
      /base model "base-2"/,
    );
    await expect(SelfLibrary.open(dir, { baseModel: 'base-2' })).rejects.toThrow(AdapterFormatError);
    await expect(library.register({ name: 'A', function: 'again' }, adapter(0))).rejects.toThrow(
      /already registered/,
    );
    await expect(library.register({ name: '9 bad', function: 'x' }, adapter(0))).rejects.toThrow(
      /invalid Self metadata/,
    );
    expect(() => library.current('Nobody')).toThrow(SelfNotFoundError);
    await expect(library.setCurrent('A', 'v9', 'x')).rejects.toThrow(/no version "v9"/);
    // B's valid file copied over A's: the checksum the index recorded catches it.
    writeFileSync(
      join(dir, 'selves/A/v1/adapter_model.safetensors'),
      readFileSync(join(dir, 'selves/B/v1/adapter_model.safetensors')),
    );
    await expect(library.loadAdapter('A')).rejects.toThrow(/library recorded/);
    writeFileSync(join(dir, 'index.json'), '{');
    await expect(SelfLibrary.open(dir, { baseModel: 'base-1' })).rejects.toThrow(/not valid JSON/);
  });
});
