import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import type { TaskSpec } from '@chimera/toolbelt';
import { type ExperienceInput, SqliteExperienceStore } from '@chimera/ues';
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
    // #endregion
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

  it('composes Selves into a new Self that runs in the model (cat: the exact sum of updates)', async () => {
    const selves = await createNanoSelves({ dir: join(tempDir(), 'selves'), model, seed: 9 });
    for (const [name, value] of [
      ['Web_Researcher', 0.05],
      ['Summarizer', -0.03],
    ] as const) {
      const live = selves.weights(name);
      live.get('query.lora_b').fill(value);
      await selves.commit(name, live, { objectiveId: `o-${name}`, reason: 'test' });
    }
    // #region compose-selves
    await selves.compose({
      name: 'Research_Summarizer',
      method: 'cat',
      sources: [
        { self: 'Web_Researcher', weight: 1 },
        { self: 'Summarizer', weight: 1 },
      ],
    });
    await selves.activate('Research_Summarizer'); // read from disk, validated, made active
    const merged = selves.weights('Research_Summarizer'); // rank 16 = 8 + 8
    // #endregion
    expect(merged.shapeOf('query.lora_a')).toEqual([64, 16]);
    const delta = (w: typeof merged, rank: number) => {
      const a = w.get('query.lora_a');
      const b = w.get('query.lora_b');
      return Array.from({ length: 64 * 64 }, (_, x) => {
        const i = Math.floor(x / 64);
        const j = x % 64;
        let sum = 0;
        for (let k = 0; k < rank; k++) sum += a[i * rank + k]! * b[k * 64 + j]!;
        return sum;
      });
    };
    const expected = delta(selves.weights('Web_Researcher'), 8).map(
      (v, i) => v + delta(selves.weights('Summarizer'), 8)[i]!,
    );
    delta(merged, 16).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
    const batch = [
      { context: 'find the opening hours', candidates: ['open contact page', 'read the footer'] },
    ];
    const onnx = await model.score(batch, merged);
    const reference = model.referenceScore(batch, merged);
    onnx.logits[0]!.forEach((v, i) => {
      expect(v).toBeCloseTo(reference.logits[0]![i]!, 4);
    });
    expect(selves.library.metadata('Research_Summarizer')).toMatchObject({
      acting: false,
      lineage: {
        method: 'compose:cat',
        parents: [
          { self: 'Web_Researcher', version: 'v2' },
          { self: 'Summarizer', version: 'v2' },
        ],
      },
    });
    expect(selves.swapStats().fromDisk.count).toBe(1);
  });

  it('the controller picks Selves for real task families, records why, and assesses from the store', async () => {
    const dir = tempDir();
    const store = await SqliteExperienceStore.open(join(dir, 'experiences.sqlite'));
    try {
      const selves = await createNanoSelves({ dir: join(dir, 'selves'), model, store, seed: 4 });
      const task: TaskSpec = {
        id: 'web-form-filling-1-7-train',
        environment: 'web',
        family: 'form-filling',
        difficulty: 1,
        goal: 'Fill in the contact form with name Ada and submit it',
        seed: 7,
        split: 'train',
        needsExperience: false,
        maxSteps: 8,
        tags: ['forms', 'site:acme'],
        params: {},
      };
      const observation = { text: 'e1 textbox "Name"\ne2 button "Send"', data: {} };
      // #region controller
      const choice = await selves.controller.select({ task, step: 0, observation, history: [] });
      // choice.self: 'Form_Filler'; choice.reason: why (posterior, skill prior, plan); choice.scores: per Self
      await selves.controller.observeEpisode(
        { task, success: true, score: 1, steps: 4, selvesUsed: [choice.self] },
        { learn: true },
      );
      // #endregion
      expect(choice.self).toBe('Form_Filler');
      expect(choice.version).toBe('v1');
      expect(choice.reason).toMatch(
        /Form_Filler for web\/form-filling\/main: .*prior from skills forms, form-filling/,
      );
      expect(Object.keys(choice.scores!)).toEqual(selves.actingSelves());
      expect(selves.controller.posteriors()[0]).toMatchObject({
        key: 'web/form-filling/main',
        self: 'Form_Filler',
        episodes: 1,
      });
      expect(JSON.parse(JSON.stringify(selves.partner.saveState())).seed).not.toBe(
        selves.controller.saveState().seed,
      );

      const episodes: [string, number, boolean][] = [
        ['Form_Filler', 2, true],
        ['Form_Filler', 2, true],
        ['Form_Filler', 2, true],
        ['Form_Filler', 4, false],
        ['Playwright_Navigator', 3, false],
      ];
      await store.append(
        episodes.flatMap(([self, steps, success], e) => episodeRecords(`e${e}`, self, steps, success)),
      );
      const rows = await selves.controller.assess({ by: 'family' });
      const filler = rows.find((r) => r.self === 'Form_Filler')!;
      expect(filler).toMatchObject({
        key: 'form-filling',
        episodes: 4,
        successes: 3,
        successRate: 0.75,
        meanStepsToSuccess: 2,
      });
      expect(filler.ci95[0]).toBeLessThan(0.75);
      expect(filler.ci95[1]).toBeGreaterThan(0.75);
      expect(rows.find((r) => r.self === 'Playwright_Navigator')!.successRate).toBe(0);
    } finally {
      await store.close();
    }
  });
});

function episodeRecords(episodeId: string, self: string, steps: number, success: boolean): ExperienceInput[] {
  return Array.from({ length: steps }, (_, step) => {
    const last = step === steps - 1;
    return {
      episodeId,
      step,
      agentId: 'agent-0',
      state: { data: {}, text: 'e1 textbox "Name"' },
      action: {
        call: { tool: 'browser_click', args: { ref: 'e1' } },
        result: { ok: true, tool: 'browser_click', value: null, durationMs: 1 },
      },
      reward: last && success ? 1 : 0,
      nextState: { data: {}, text: 'e1 textbox "Name"' },
      metadata: {
        environment: 'web',
        self: { name: self, version: 'v1' },
        task: { goal: 'Fill in the contact form', family: 'form-filling', difficulty: 1 },
        timestamps: { startedAt: new Date(1_700_000_000_000 + step * 1000).toISOString() },
        tags: ['forms'],
      },
      ...(last ? { terminal: true, outcome: success ? ('success' as const) : ('failure' as const) } : {}),
    } as ExperienceInput;
  });
}
