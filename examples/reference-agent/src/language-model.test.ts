/**
 * `--backend gguf:` on the real path: node-llama-cpp runs the tiny random llama (no weights can be
 * downloaded; it tests the wiring, not the acting) with a Self on its GGUF LoRA, the tools are
 * probed from a real web session (Chromium), and one decision of a held-out task goes through the
 * LanguageModelPolicy, the TAL and the web world. One step only: the tiny model reads a web page
 * character by character, and a whole evaluation would take minutes on 2 cores.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mulberry32, runEpisode } from '@chimera/phoenix';
import { writeTinyLlama, writeTinyLlamaLora } from '@chimera/phoenix/llm';
import { afterAll, describe, expect, it } from 'vitest';
import { languageModelSetup } from './language-model';
import { startWorlds, type Worlds } from './worlds';

const dir = mkdtempSync(join(tmpdir(), 'chimera-agent-llm-'));
let worlds: Worlds | undefined;

afterAll(async () => {
  await worlds?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the reference agent on a language model (--backend gguf:)', () => {
  it('acts on a held-out web task through the in-process model, a Self on its GGUF LoRA', async () => {
    await writeTinyLlama(join(dir, 'tiny.gguf'));
    mkdirSync(join(dir, 'selves'));
    await writeTinyLlamaLora(join(dir, 'selves', 'Playwright_Navigator.gguf'), { seed: 3 });
    worlds = await startWorlds('web');
    const setup = await languageModelSetup(`gguf:${join(dir, 'tiny.gguf')}`, worlds.environments, {
      selvesGguf: join(dir, 'selves'),
      gguf: { threads: 1, maxTokens: 96, grammar: { reasoningLength: 24, maxStringLength: 48 } },
      maxCorrections: 0,
    });
    try {
      expect(setup.description).toBe(
        'tiny.gguf in process (node-llama-cpp), Selves as GGUF LoRAs: Playwright_Navigator',
      );
      const env = worlds.environments[0]!;
      const task = env.generator.generate({ family: 'navigation', difficulty: 0, seed: 1, split: 'heldout' });
      const result = await runEpisode({
        environment: env,
        task: { ...task, maxSteps: 1 },
        policy: setup.policy,
        selector: { select: async () => ({ self: 'Playwright_Navigator', version: 'v1', reason: 'test' }) },
        random: new Mulberry32(1),
        episodeId: 'llm-eval',
        explore: false,
      });
      expect(result.error).toBeUndefined();
      expect(result.records).toHaveLength(1);
      const record = result.records[0]!;
      expect(record.decision?.policy).toBe(setup.policy.name);
      // The model's reasoning is the experience's thought process; the call was one on offer.
      expect(record.metadata.thoughtProcess).toEqual(expect.any(String));
      const chosen = record.decision!.chosenIndex ?? -1;
      expect(chosen).toBeGreaterThanOrEqual(0);
      expect(chosen).toBeLessThan(record.decision!.candidates!.length);
    } finally {
      await setup.close();
    }
  }, 300_000);
});
