/**
 * OpenAICompatibleBackend against a real server running a real model: the project's own
 * llama-server-compatible server (llama-chat-server.ts) over node-llama-cpp, serving the tiny
 * llama the test writes with two GGUF LoRA adapters. Real HTTP, real llama.cpp, real adapters:
 * a Self swap is a different per-request `lora` list, and it changes what the model writes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTool } from '@chimera/toolbelt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conventionWorld } from '../__fixtures__/convention-world';
import { Mulberry32 } from '../curriculum/random';
import { runEpisode, type SelfSelector } from '../episode-runner';
import { LanguageModelError } from './language-model-error';
import { type DecisionTranscript, LanguageModelPolicy } from './language-model-policy';
import { type LlamaChatServer, startLlamaChatServer } from './llama-chat-server';
import { servedModels } from './lora-adapters';
import { OpenAICompatibleBackend } from './openai-compatible-backend';
import { writeTinyLlama, writeTinyLlamaLora } from './tiny-llama';

let dir: string;
let server: LlamaChatServer;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chimera-llama-server-'));
  await writeTinyLlama(file('tiny.gguf'));
  await writeTinyLlamaLora(file('Form_Filler.gguf'), { seed: 7 });
  await writeTinyLlamaLora(file('Playwright_Navigator.gguf'), { seed: 8 });
  // #region llama-chat-server
  server = await startLlamaChatServer({
    modelPath: file('tiny.gguf'),
    lora: [file('Form_Filler.gguf'), file('Playwright_Navigator.gguf')],
    loraInitWithoutApply: true,
    gpu: false,
    threads: 1,
    maxContexts: 3,
    grammar: { reasoningLength: 48, maxStringLength: 24 },
  });
  // then: new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, lora: 'llama-cpp', ... })
  // #endregion
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const adapters = { Form_Filler: 'Form_Filler.gguf', Playwright_Navigator: 'Playwright_Navigator.gguf' };
const say = (backend: OpenAICompatibleBackend, self: string) =>
  backend.chat({
    self,
    messages: [{ role: 'user', content: 'Describe the page.' }],
    temperature: 0,
    maxTokens: 24,
  });

describe('OpenAICompatibleBackend against a real server (own llama-server-compatible server, tiny model)', () => {
  it('switches adapters per request: each Self writes differently, the base model and scale 0 alike', async () => {
    const backend = new OpenAICompatibleBackend({
      baseUrl: `${server.url}/v1`,
      model: 'tiny.gguf',
      lora: 'llama-cpp',
      adapters,
    });
    expect((await servedModels(backend)).map((m) => m.id)).toEqual(['tiny.gguf']);
    const ids = await backend.llamaAdapterIds();
    expect([...ids.values()]).toEqual([0, 1]);

    const base = await say(backend, 'Planner_Self');
    const formFiller = await say(backend, 'Form_Filler');
    const navigator = await say(backend, 'Playwright_Navigator');
    const baseAgain = await say(backend, 'Planner_Self');
    expect(base.content.length).toBeGreaterThan(0);
    expect(formFiller.content).not.toBe(base.content);
    expect(navigator.content).not.toBe(base.content);
    expect(navigator.content).not.toBe(formFiller.content);
    expect(baseAgain.content).toBe(base.content);
    // What the in-process backend writes with the same adapter: the server serves the same model.
    expect(
      (
        await server.backend.complete(
          { messages: [{ role: 'user', content: 'Describe the page.' }], temperature: 0, maxTokens: 24 },
          [{ path: file('Form_Filler.gguf'), scale: 1 }],
        )
      ).content,
    ).toBe(formFiller.content);

    // The adapter at scale 0 is the base model.
    const off = new OpenAICompatibleBackend({
      baseUrl: `${server.url}/v1`,
      model: 'tiny.gguf',
      lora: 'llama-cpp',
      adapters,
      loraScale: 0,
    });
    expect((await say(off, 'Form_Filler')).content).toBe(base.content);

    // An adapter the server was not started with.
    const missing = new OpenAICompatibleBackend({
      baseUrl: `${server.url}/v1`,
      model: 'tiny.gguf',
      lora: 'llama-cpp',
      adapters: { Summarizer: 'Summarizer.gguf' },
    });
    const error = await say(missing, 'Summarizer').catch((e: unknown) => e);
    expect(LanguageModelError.isInstance(error) && error.code).toBe('unknown-adapter');
  });

  it('serves tool calls the policy validates and the episode executes (toy world over HTTP)', {
    timeout: 60_000,
  }, async () => {
    const click = defineTool({
      name: 'click',
      description: 'Click the button with this label.',
      environmentTags: ['toy'],
      input: z.object({ label: z.string().max(16) }),
      output: z.object({ clicked: z.string() }),
      handler: ({ label }) => ({ clicked: label }),
    });
    const transcripts: DecisionTranscript[] = [];
    const formFiller: SelfSelector = {
      select: async () => ({ self: 'Form_Filler', version: 'v1', reason: 'fixed' }),
    };
    const policy = new LanguageModelPolicy({
      backend: new OpenAICompatibleBackend({
        baseUrl: `${server.url}/v1`,
        model: 'tiny.gguf',
        lora: 'llama-cpp',
        adapters,
      }),
      tools: [click],
      maxCorrections: 1,
      onTranscript: (t) => transcripts.push(t),
    });
    const task = conventionWorld().generator.generate({
      family: 'lexical',
      difficulty: 0,
      seed: 3,
      split: 'train',
    });
    const result = await runEpisode({
      environment: conventionWorld(),
      task,
      policy,
      selector: formFiller,
      random: new Mulberry32(1),
      episodeId: 'tiny-llama-http',
      explore: false,
    });
    expect(result.error).toBeUndefined();
    expect(policy.toolCallingMode).toBe('native');
    const attempts = transcripts.flatMap((t) => t.attempts);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect(attempt.reply.finishReason, JSON.stringify(attempt.reply)).toBe('tool_calls');
      // Native tool calls from the server, each one a valid `click` for the TAL.
      expect(attempt.reply.toolCalls[0]?.function.name).toBe('click');
      expect(attempt.call?.tool).toBe('click');
      if (attempt.error) expect(attempt.error.message).toMatch(/not one of the actions available now/);
    }
    expect(result.records[0]!.metadata!.thoughtProcess!.length).toBeGreaterThan(0);
  });

  it('refuses an adapter for another base model at start, and bad requests with llama-server’s error shape', async () => {
    await writeTinyLlamaLora(file('other.gguf'), { shape: { hidden: 32 } });
    const refused = await startLlamaChatServer({
      modelPath: file('tiny.gguf'),
      lora: [file('other.gguf')],
      gpu: false,
    }).catch((e: unknown) => e);
    expect(LanguageModelError.isInstance(refused) && refused.code).toBe('wrong-base-model');

    const bad = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], lora: [{ id: 9, scale: 1 }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /no LoRA adapter with id 9/,
    );
  });
});
