/**
 * The behaviour every ExperienceStore must show, run against SQLite and against a real
 * PostgreSQL server, so the two stores answer the same questions the same way.
 */
import { describe, expect, it } from 'vitest';
import { DuplicateExperienceError } from '../errors/duplicate-experience-error';
import { EpisodeConflictError } from '../errors/episode-conflict-error';
import { SchemaValidationError } from '../errors/schema-validation-error';
import { UnknownExperienceError } from '../errors/unknown-experience-error';
import type { ExperienceStore } from '../store/experience-store';
import { webEpisode, webStep } from './experiences';
import { makePng, tinyJpeg } from './images';

export function storeContract(name: string, open: () => Promise<ExperienceStore>): void {
  describe(`${name}: ExperienceStore contract`, () => {
    it('appends a batch and reads back exactly what was appended', async () => {
      const store = await open();
      try {
        const input = webEpisode('ep-a', 3, 'success');
        input[1]!.decision = {
          candidates: [{ text: 'type', call: { tool: 'browser_type', args: { ref: 'e1' } } }],
          chosenIndex: 0,
        };
        const ids = await store.append(input);
        expect(ids).toHaveLength(3);
        const got = await store.get(ids[1]!);
        expect(got).toMatchObject({
          ...input[1],
          id: ids[1],
          schemaVersion: 2,
          terminal: false,
          truncated: false,
        });
        expect(got?.metadata.thoughtProcess).toBe(input[1]!.metadata.thoughtProcess);
        expect(await store.get('no-such-id')).toBeUndefined();
        expect(await store.append([])).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('refuses a batch with one bad record, writing none of it, and names the field', async () => {
      const store = await open();
      try {
        const batch = webEpisode('ep-bad', 3, 'failure');
        (batch[2]!.metadata.task as { family: unknown }).family = 42;
        const error = await store.append(batch).catch((e: unknown) => e);
        expect(SchemaValidationError.isInstance(error)).toBe(true);
        expect((error as SchemaValidationError).path).toBe('metadata.task.family');
        expect((error as SchemaValidationError).index).toBe(2);
        expect(await store.count({ episodeId: 'ep-bad' })).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('refuses duplicate ids and a second end of the same episode, writing nothing', async () => {
      const store = await open();
      try {
        const [id] = await store.append([webStep({ episodeId: 'ep-d', step: 0 })]);
        const again = { ...webStep({ episodeId: 'ep-d', step: 1 }), id };
        const dup = await store
          .append([webStep({ episodeId: 'ep-d', step: 2 }), again])
          .catch((e: unknown) => e);
        expect(DuplicateExperienceError.isInstance(dup)).toBe(true);
        expect((dup as DuplicateExperienceError).ids).toEqual([id]);
        const inBatch = await store
          .append([
            { ...webStep({ episodeId: 'x', step: 0 }), id: 'same' },
            { ...webStep({ episodeId: 'x', step: 1 }), id: 'same' },
          ])
          .catch((e: unknown) => e);
        expect(DuplicateExperienceError.isInstance(inBatch)).toBe(true);
        expect(await store.count({ episodeId: 'ep-d' })).toBe(1);
        await store.append([webStep({ episodeId: 'ep-d', step: 1, outcome: 'success' })]);
        const twice = await store
          .append([webStep({ episodeId: 'ep-d', step: 2, outcome: 'failure' })])
          .catch((e: unknown) => e);
        expect(EpisodeConflictError.isInstance(twice)).toBe(true);
        expect(await store.count({ episodeId: 'ep-d' })).toBe(2);
        expect((await store.episodes({ episodeId: 'ep-d' }))[0]?.outcome).toBe('success');
      } finally {
        await store.close();
      }
    });

    it('answers queries by episode, environment, self, family, tag, time, reward and outcome', async () => {
      const store = await open();
      try {
        const t0 = Date.parse('2025-03-01T00:00:00.000Z');
        await store.append([
          ...webEpisode('q1', 4, 'success', { self: 'form-filler', startedAtMs: t0 }),
          ...webEpisode('q2', 2, 'failure', {
            self: 'navigator',
            family: 'navigation',
            tags: ['navigation'],
            startedAtMs: t0 + 60_000,
          }),
          ...webEpisode('q3', 3, 'truncated', {
            environment: 'minecraft',
            self: 'crafter',
            family: 'craft-pickaxe',
            tags: ['crafting'],
            reward: -1,
            startedAtMs: t0 + 120_000,
          }),
        ]);
        expect((await store.query({ episodeId: 'q1' })).map((r) => r.step)).toEqual([0, 1, 2, 3]);
        expect(await store.count({ environment: 'minecraft' })).toBe(3);
        expect(await store.count({ self: 'navigator' })).toBe(2);
        expect(await store.count({ taskFamily: 'craft-pickaxe' })).toBe(3);
        expect(await store.count({ tag: 'checkout' })).toBe(4);
        expect(await store.count({ since: new Date(t0 + 60_000) })).toBe(5);
        expect(await store.count({ since: t0 + 60_000, until: '2025-03-01T00:02:00.000Z' })).toBe(2);
        expect(await store.count({ maxReward: -0.5 })).toBe(3);
        expect(await store.count({ minReward: 0 })).toBe(6);
        expect(
          (await store.query({ outcome: ['failure', 'truncated'] })).map((r) => r.episodeId).sort(),
        ).toEqual(['q2', 'q3']);
        expect(await store.count({ episodeOutcome: 'failure' })).toBe(2);
        expect(await store.count({ selfVersion: '3', environment: 'web' })).toBe(6);
        const page = await store.query({ order: 'desc', limit: 2, offset: 1 });
        expect(page.map((r) => `${r.episodeId}:${r.step}`)).toEqual(['q3:1', 'q3:0']);
        const ids = (await store.query({ episodeId: 'q2' })).map((r) => r.id);
        expect((await store.query({ ids })).map((r) => r.id)).toEqual(ids);
      } finally {
        await store.close();
      }
    });

    it('summarizes episodes: outcome, majority self, summed return, union of tags, steps', async () => {
      const store = await open();
      try {
        const steps = webEpisode('s1', 4, 'success', { self: 'navigator' });
        steps[2]!.metadata.self = { name: 'form-filler', version: '3' };
        steps[3]!.metadata.self = { name: 'form-filler', version: '3' };
        steps[3]!.metadata.tags = ['checkout', 'payment'];
        // Two batches: the summary must see the steps committed earlier.
        await store.append(steps.slice(0, 2));
        await store.append(steps.slice(2));
        const [s] = await store.episodes({ episodeId: 's1' });
        expect(s).toMatchObject({
          outcome: 'success',
          success: true,
          steps: 4,
          self: { name: 'form-filler' },
        });
        expect(s!.return).toBeCloseTo(0.4, 10);
        expect(s!.tags.sort()).toEqual(['checkout', 'form-filling', 'payment']);
        expect(s!.endExperienceId).toBe((await store.query({ episodeId: 's1', outcome: 'success' }))[0]!.id);
        const withReturn = webEpisode('s2', 2, 'failure');
        withReturn[1]!.episodeReturn = -3;
        await store.append(withReturn);
        expect((await store.episodes({ episodeId: 's2' }))[0]!.return).toBe(-3);
      } finally {
        await store.close();
      }
    });

    it('computes success rate and efficiency per (self, tag) with counts and a 95% interval', async () => {
      const store = await open();
      try {
        const batch = [];
        // form-filler: 3 of 4 checkout episodes succeed (lengths 2, 4, 6 succeed, 5 fails).
        batch.push(...webEpisode('r1', 2, 'success'), ...webEpisode('r2', 4, 'success'));
        batch.push(...webEpisode('r3', 6, 'success'), ...webEpisode('r4', 5, 'failure'));
        // navigator: 0 of 2.
        batch.push(...webEpisode('r5', 3, 'failure', { self: 'navigator', tags: ['checkout'] }));
        batch.push(...webEpisode('r6', 3, 'truncated', { self: 'navigator', tags: ['checkout'] }));
        await store.append(batch);
        const rows = await store.successRates({ groupBy: ['self', 'tag'] });
        const ff = rows.find((r) => r.key.self === 'form-filler' && r.key.tag === 'checkout')!;
        expect(ff).toMatchObject({
          episodes: 4,
          successes: 3,
          rate: 0.75,
          meanSteps: 4.25,
          meanStepsToSuccess: 4,
        });
        expect(ff.ci95[0]).toBeCloseTo(0.3006, 3);
        expect(ff.ci95[1]).toBeCloseTo(0.9544, 3);
        const nav = rows.find((r) => r.key.self === 'navigator' && r.key.tag === 'checkout')!;
        expect(nav).toMatchObject({ episodes: 2, successes: 0, rate: 0, meanStepsToSuccess: null });
        expect(rows.find((r) => r.key.self === 'navigator' && r.key.tag === 'form-filling')).toBeUndefined();
        const bySelf = await store.successRates({ groupBy: ['self'] });
        expect(bySelf.map((r) => [r.key.self, r.episodes, r.successes])).toEqual([
          ['form-filler', 4, 3],
          ['navigator', 2, 0],
        ]);
        const filtered = await store.successRates({ groupBy: ['family'], filter: { self: 'navigator' } });
        expect(filtered).toHaveLength(1);
        expect(filtered[0]).toMatchObject({ key: { family: 'form-filling' }, episodes: 2 });
        const overall = await store.successRates({ groupBy: [] });
        expect(overall[0]).toMatchObject({ key: {}, episodes: 6, successes: 3 });
        const failures = await store.recentFailures({ limit: 10 });
        expect(failures.map((f) => f.episodeId).sort()).toEqual(['r4', 'r5', 'r6']);
        expect(
          (await store.recentFailures({ includeTruncated: false, filter: { self: 'navigator' } })).map(
            (f) => f.episodeId,
          ),
        ).toEqual(['r5']);
      } finally {
        await store.close();
      }
    });

    it('versions learning signals beside the record, never overwriting it', async () => {
      const store = await open();
      try {
        const [a, b] = await store.append(webEpisode('sig', 2, 'success'));
        const before = await store.get(a!);
        const v1 = await store.writeSignals([
          { id: a!, tdError: 0.5, priority: 1.2, source: 'sleep-1' },
          { id: b!, priority: 3 },
        ]);
        expect(v1.map((v) => v.version)).toEqual([1, 1]);
        const [v2] = await store.writeSignals([
          { id: a!, tdError: 0.1, learningProgress: 0.05, source: 'sleep-2' },
        ]);
        expect(v2).toMatchObject({
          id: a,
          version: 2,
          tdError: 0.1,
          learningProgress: 0.05,
          priority: 1.2,
          source: 'sleep-2',
        });
        const latest = await store.latestSignals([a!, b!, 'unknown']);
        expect(latest.get(a!)?.version).toBe(2);
        expect(latest.get(b!)).toMatchObject({ version: 1, priority: 3, tdError: null });
        expect(latest.has('unknown')).toBe(false);
        const history = await store.signalHistory(a!);
        expect(history.map((h) => [h.version, h.tdError, h.source])).toEqual([
          [1, 0.5, 'sleep-1'],
          [2, 0.1, 'sleep-2'],
        ]);
        expect(await store.get(a!)).toEqual(before);
        const unknown = await store
          .writeSignals([
            { id: a!, tdError: 9 },
            { id: 'nope', tdError: 1 },
          ])
          .catch((e: unknown) => e);
        expect(UnknownExperienceError.isInstance(unknown)).toBe(true);
        expect((await store.signalHistory(a!)).length).toBe(2);
      } finally {
        await store.close();
      }
    });

    it('streams records page by page in order, with filters, in both directions', async () => {
      const store = await open();
      try {
        const n = 1200;
        for (let start = 0; start < n; start += 400) {
          await store.append(
            Array.from({ length: 400 }, (_, i) =>
              webStep({
                episodeId: `it-${Math.floor((start + i) / 100)}`,
                step: (start + i) % 100,
                self: (start + i) % 3 === 0 ? 'a' : 'b',
              }),
            ),
          );
        }
        let count = 0;
        let previous = '';
        for await (const r of store.iterate({ pageSize: 64 })) {
          const key = `${r.episodeId.padStart(6, '0')}:${String(r.step).padStart(3, '0')}`;
          expect(key > previous).toBe(true);
          previous = key;
          count++;
        }
        expect(count).toBe(n);
        let selfA = 0;
        for await (const r of store.iterate({ self: 'a', order: 'desc', pageSize: 50 })) {
          expect(r.metadata.self.name).toBe('a');
          selfA++;
        }
        expect(selfA).toBe(400);
        expect(await store.count()).toBe(n);
      } finally {
        await store.close();
      }
    });

    it('keeps images in the content-addressed blob store, once per content', async () => {
      const store = await open();
      try {
        const png = makePng(8, 6, 1);
        const ref = await store.blobs.put(png, 'image/png');
        expect(ref).toMatchObject({ mime: 'image/png', size: png.length, width: 8, height: 6 });
        expect(await store.blobs.put(png, 'image/png')).toEqual(ref);
        const jpeg = await store.blobs.put(tinyJpeg, 'image/jpeg');
        const step = webStep({ episodeId: 'img', step: 0 });
        step.state.images = [{ ...ref, label: 'frame' }];
        step.nextState.images = [jpeg];
        const [id] = await store.append([step]);
        const back = await store.get(id!);
        expect(Buffer.from((await store.blobs.get(back!.state.images![0]!))!)).toEqual(Buffer.from(png));
        expect(Buffer.from((await store.blobs.get(back!.nextState.images![0]!))!)).toEqual(
          Buffer.from(tinyJpeg),
        );
        expect(await store.blobs.get('0'.repeat(64))).toBeUndefined();
      } finally {
        await store.close();
      }
    });
  });
}
