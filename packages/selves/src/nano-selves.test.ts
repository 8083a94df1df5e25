import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterFormatError } from './errors/adapter-format-error';
import { DEFAULT_ROSTER } from './library/roster';
import { createNanoSelves } from './nano-selves';

let model: NanoPolicyModel;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'chimera-selves-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  model = await NanoPolicyModel.create();
});
afterAll(async () => {
  await model.release();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('createNanoSelves', () => {
  it('creates the blueprint roster on first run, with fresh zero-B adapters', async () => {
    // #region create-selves
    const selves = await createNanoSelves({ dir: join(tempDir(), 'selves'), model, seed: 7 });
    selves.actingSelves(); // ['Planner_Self', 'MINDcraft_Explorer', ..., 'Summarizer']
    const lora = selves.weights('Form_Filler'); // the live LoraWeights the policy scores with
    selves.version('Form_Filler'); // 'v1'
    // #endregion create-selves
    expect(selves.library.names()).toEqual(DEFAULT_ROSTER.map((r) => r.name));
    expect(selves.internal).toEqual(['Meta_Cognitive_Controller', 'Reflector_Self']);
    expect(selves.actingSelves()).toHaveLength(7);
    expect(selves.version('Form_Filler')).toBe('v1');
    expect(Array.from(lora.get('query.lora_b')).every((v) => v === 0)).toBe(true);
    expect(Array.from(lora.get('query.lora_a')).some((v) => v !== 0)).toBe(true);
  });

  it('returns the same live object per Self and counts real swaps between Selves', async () => {
    const selves = await createNanoSelves({ dir: join(tempDir(), 'selves'), model, seed: 7 });
    const a = selves.weights('Form_Filler');
    expect(selves.weights('Form_Filler')).toBe(a);
    expect(selves.swapStats().count).toBe(1);
    const b = selves.weights('Playwright_Navigator');
    expect(b).not.toBe(a);
    expect(selves.weights('Form_Filler')).toBe(a);
    const stats = selves.swapStats();
    expect(stats.count).toBe(3);
    expect(stats.fromRam.count).toBe(3);
    expect(stats.meanLatencyMs).toBeGreaterThanOrEqual(0);
    expect(selves.active()).toBe('Form_Filler');
    expect(() => selves.weights('Nobody')).toThrow(/no Self named "Nobody"/);
  });

  it('commits idempotently per objective, reverts, and restores everything on reopen', async () => {
    const dir = join(tempDir(), 'selves');
    const selves = await createNanoSelves({ dir, model, seed: 3 });
    const live = selves.weights('Form_Filler');
    const before = live.get('query.lora_b').slice();
    live.get('query.lora_b').fill(0.25);
    const v2 = await selves.commit('Form_Filler', live, {
      objectiveId: 'objective-1-0',
      reason: 'learned forms',
    });
    expect(v2).toBe('v2');
    expect(await selves.commit('Form_Filler', live, { objectiveId: 'objective-1-0', reason: 'again' })).toBe(
      'v2',
    );
    expect(selves.library.versions('Form_Filler')).toHaveLength(2);

    await selves.revert('Form_Filler', 'v1', 'validation fell');
    expect(selves.version('Form_Filler')).toBe('v1');
    expect(selves.weights('Form_Filler')).toBe(live);
    expect(Array.from(live.get('query.lora_b'))).toEqual(Array.from(before));

    // A resumed run re-commits the same objective: v2 comes back, reloaded into the live copy.
    expect(
      await selves.commit('Form_Filler', live, { objectiveId: 'objective-1-0', reason: 'resumed' }),
    ).toBe('v2');
    expect(live.get('query.lora_b').every((v) => v === 0.25)).toBe(true);

    const reopened = await createNanoSelves({ dir, model, seed: 3 });
    expect(reopened.version('Form_Filler')).toBe('v2');
    expect(Array.from(reopened.weights('Form_Filler').get('query.lora_b'))).toEqual(
      Array.from(live.get('query.lora_b')),
    );
    expect(reopened.library.history('Form_Filler').map((e) => e.action)).toEqual([
      'register',
      'commit',
      'revert',
      'revert',
    ]);
  });

  it('keeps the active Self when the next adapter file is damaged', async () => {
    const dir = join(tempDir(), 'selves');
    const selves = await createNanoSelves({ dir, model, seed: 5, budgetBytes: 0 });
    selves.weights('Form_Filler');
    // Reflector_Self is internal: not resident, read from disk on activation.
    writeFileSync(join(dir, 'selves', 'Reflector_Self', 'v1', 'adapter_model.safetensors'), 'truncated');
    const error = await selves.activate('Reflector_Self').catch((e: unknown) => e);
    expect(AdapterFormatError.isInstance(error)).toBe(true);
    expect((error as AdapterFormatError).code).toBe('corrupt-file');
    expect(selves.active()).toBe('Form_Filler');
  });
});
