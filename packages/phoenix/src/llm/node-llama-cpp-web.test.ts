/**
 * The in-process backend on the real web world: the tiny llama the test writes (seeded random
 * weights, so its calls are arbitrary) decodes tool calls under the grammar built from the web
 * tools' own JSON Schemas, and the episode's TAL executes them in Chromium against the embedded
 * task site. What this shows: every call the model writes is schema-valid for the TAL (no parse,
 * unknown-tool or argument errors), whatever it means; not that the model solves anything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toOpenAITool } from '@chimera/toolbelt';
import { createWebEnvironment, type WebEnvironment } from '@chimera/worlds/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mulberry32 } from '../curriculum/random';
import { runEpisode, type SelfSelector } from '../episode-runner';
import { type DecisionTranscript, LanguageModelPolicy } from './language-model-policy';
import { NodeLlamaCppBackend } from './node-llama-cpp-backend';
import { writeTinyLlama, writeTinyLlamaLora } from './tiny-llama';
import { toolCallGrammar } from './tool-call-grammar';

/**
 * The web tools the model gets (their real schemas, from the episode's toolset): a subset, since
 * with one character per token every schema in the prompt costs hundreds of tokens on one core.
 */
const TOOLS = new Set(['click', 'fill', 'press_key', 'select_option', 'scroll']);

/** Rejections that mean the call itself was malformed (what constrained decoding rules out). */
const MALFORMED = new Set(['parse_error', 'unknown_tool', 'invalid_arguments']);

let dir: string;
let env: WebEnvironment;
let backend: NodeLlamaCppBackend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chimera-llama-web-'));
  await writeTinyLlama(join(dir, 'tiny.gguf'));
  await writeTinyLlamaLora(join(dir, 'form-filler.gguf'));
  env = await createWebEnvironment({ seed: 5, maxCandidates: 12 });
  backend = new NodeLlamaCppBackend({
    modelPath: join(dir, 'tiny.gguf'),
    adapters: { Form_Filler: join(dir, 'form-filler.gguf') },
    // The vocabulary is one character per token: the web tools' schemas alone are thousands.
    contextSize: 8192,
    gpu: false,
    threads: 1,
    seed: 3,
    grammar: { maxStringLength: 24, reasoningLength: 48 },
  });
}, 60_000);

afterAll(async () => {
  await backend?.dispose();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const formFiller: SelfSelector = {
  select: async () => ({ self: 'Form_Filler', version: 'v1', reason: 'fixed' }),
};

describe('NodeLlamaCppBackend on the web world (real node-llama-cpp, real Chromium)', () => {
  it('decodes schema-valid calls of the web tools, which the TAL executes in the browser', {
    timeout: 120_000,
  }, async () => {
    const task = env.generator.generate({ family: 'form-filling', difficulty: 0, seed: 1, split: 'train' });
    const session = await env.start(task);
    try {
      const tools = session.toolset.tools.filter((t) => TOOLS.has(t.name)).map(toOpenAITool);
      expect(tools).toHaveLength(TOOLS.size);
      const grammar = toolCallGrammar(tools, { maxStringLength: 24 });
      // What the grammar cannot hold the model to is listed; these web tools have nothing there.
      expect(grammar.unenforced).toEqual([]);
      const executed: string[] = [];
      let observation = await session.observe();
      for (let i = 0; i < 2; i++) {
        const reply = await backend.chat({
          self: 'Form_Filler',
          messages: [
            { role: 'system', content: `Goal: ${task.goal}` },
            { role: 'user', content: observation.text },
          ],
          tools,
          temperature: 1,
        });
        const call = reply.toolCalls[0]!;
        const outcome = await session.step({
          tool: call.function.name,
          args: JSON.parse(call.function.arguments),
        });
        // Executed: a success, or the tool's own failure (an element id the page does not have),
        // never a call the TAL refused to run.
        if (!outcome.result.ok)
          expect(MALFORMED.has(outcome.result.error.code), JSON.stringify(outcome.result)).toBe(false);
        executed.push(`${call.function.name}:${outcome.result.ok ? 'ok' : outcome.result.error.code}`);
        observation = outcome.observation;
        if (outcome.done || outcome.truncated) break;
      }
      expect(executed.length).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });

  it('runs an episode through LanguageModelPolicy: the reasoning is recorded, no attempt is malformed', {
    timeout: 120_000,
  }, async () => {
    const transcripts: DecisionTranscript[] = [];
    const task = env.generator.generate({ family: 'form-filling', difficulty: 0, seed: 2, split: 'train' });
    const session = await env.start(task);
    const tools = session.toolset.tools.filter((t) => TOOLS.has(t.name));
    await session.close();
    const policy = new LanguageModelPolicy({
      backend,
      tools,
      maxCorrections: 1,
      onTranscript: (t) => transcripts.push(t),
    });
    const result = await runEpisode({
      environment: env,
      task: { ...task, maxSteps: 1 },
      policy,
      selector: formFiller,
      random: new Mulberry32(1),
      episodeId: 'tiny-llama-web',
      explore: true,
    });
    expect(result.error).toBeUndefined();
    expect(result.records.length).toBeGreaterThan(0);
    expect(result.records[0]!.decision!.policy).toBe('language-model:node-llama-cpp:tiny.gguf');
    expect(result.records[0]!.metadata!.thoughtProcess!.length).toBeGreaterThan(0);
    const attempts = transcripts.flatMap((t) => t.attempts);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect(attempt.call, JSON.stringify(attempt.reply)).toBeDefined();
      // The only rejection left: a valid call that is not one of the actions on offer now.
      if (attempt.error) expect(attempt.error.message).toMatch(/not one of the actions available now/);
    }
  });
});
