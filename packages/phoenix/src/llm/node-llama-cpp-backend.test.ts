/**
 * NodeLlamaCppBackend with real node-llama-cpp (its prebuilt CPU binary) on a tiny llama model the
 * test writes itself (tiny-llama.ts: 2 layers, hidden 64, a character-level
 * vocabulary, seeded random weights) and a GGUF LoRA written by @chimera/selves' exporter. The
 * model's text is arbitrary; what is checked is that llama.cpp loads both, that the adapter changes
 * what it writes, that every tool call decoded under the grammar passes the TAL's validation, and
 * the errors.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DispatchMiddleware,
  defineTool,
  ToolAbstractionLayer,
  ToolRegistry,
  toOpenAITool,
} from '@chimera/toolbelt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LanguageModelError } from './language-model-error';
import { NodeLlamaCppBackend } from './node-llama-cpp-backend';
import { loadNodeLlamaCpp } from './node-llama-cpp-loader';
import { tinyLlamaGguf, writeTinyLlama, writeTinyLlamaLora } from './tiny-llama';
import { toolCallGrammar } from './tool-call-grammar';

let dir: string;
let backend: NodeLlamaCppBackend;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chimera-llama-'));
  await writeTinyLlama(file('tiny.gguf'));
  await writeTinyLlamaLora(file('form-filler.gguf'), { seed: 7 });
  await writeTinyLlamaLora(file('navigator.gguf'), { seed: 8 });
  // #region node-llama-cpp-backend
  backend = new NodeLlamaCppBackend({
    modelPath: file('tiny.gguf'),
    adapters: { Form_Filler: file('form-filler.gguf'), Playwright_Navigator: file('navigator.gguf') },
    contextSize: 1024,
    maxContexts: 2,
    gpu: false,
    threads: 1,
  });
  // #endregion
});

afterAll(async () => {
  await backend?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<LanguageModelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(LanguageModelError.isInstance(error), String(error)).toBe(true);
  return error as LanguageModelError;
}

const ask = (self: string | undefined) =>
  backend.chat({
    self,
    messages: [{ role: 'user', content: 'Describe the page.' }],
    temperature: 0,
    maxTokens: 24,
  });

describe('NodeLlamaCppBackend (real node-llama-cpp, tiny self-written GGUF model)', () => {
  it('loads the model and a LoRA per Self; the adapter changes what the model writes', async () => {
    const base = await ask(undefined);
    const again = await ask('Summarizer'); // no adapter: the base model, same context
    const formFiller = await ask('Form_Filler');
    expect(base.content.length).toBeGreaterThan(0);
    expect(base.model).toBe('tiny.gguf');
    expect(again.content).toBe(base.content); // greedy decoding is deterministic
    expect(formFiller.model).toBe('form-filler.gguf');
    expect(formFiller.content).not.toBe(base.content);
    expect(backend.contexts).toEqual(['', `${file('form-filler.gguf')}@1`]);

    // A third adapter evicts the least recently used context (maxContexts 2).
    const navigator = await ask('Playwright_Navigator');
    expect(navigator.content).not.toBe(formFiller.content);
    expect(backend.contexts).toEqual([`${file('form-filler.gguf')}@1`, `${file('navigator.gguf')}@1`]);
    // Coming back to the base model recreates its context and gives the same text.
    expect((await ask(undefined)).content).toBe(base.content);
  });

  it('decodes tool calls under the tools’ JSON Schemas: every call passes the TAL', async () => {
    const calls: { tool: string; args: unknown }[] = [];
    const tools = [
      defineTool({
        name: 'click',
        description: 'Click an element by id.',
        environmentTags: ['web'],
        input: z.object({
          id: z.string().regex(/^[A-Za-z]+\d+$/),
          count: z.number().int().min(1).max(3).optional(),
        }),
        output: z.object({}),
        handler: () => ({}),
      }),
      defineTool({
        name: 'wait_for_text',
        description: 'Wait for a text.',
        environmentTags: ['web'],
        input: z.object({
          text: z.string().min(1).max(40),
          timeoutMs: z.number().int().min(100).max(15_000),
        }),
        output: z.object({}),
        handler: () => ({}),
      }),
      defineTool({
        name: 'fill_form',
        description: 'Fill several fields.',
        environmentTags: ['web'],
        input: z.object({
          fields: z
            .array(z.object({ name: z.enum(['email', 'name', 'country']), value: z.string().max(12) }))
            .max(3),
          submit: z.boolean(),
          note: z.string().nullable(),
        }),
        output: z.object({}),
        handler: () => ({}),
      }),
    ];
    const wire = tools.map(toOpenAITool);
    expect(toolCallGrammar(wire).unenforced).toEqual([]);
    const record: DispatchMiddleware = {
      name: 'record',
      before: ({ call, args }) => {
        calls.push({ tool: call.tool, args });
        return undefined;
      },
    };
    const tal = new ToolAbstractionLayer({ registry: new ToolRegistry(tools), middleware: [record] });
    const sampler = new NodeLlamaCppBackend({
      modelPath: file('tiny.gguf'),
      gpu: false,
      threads: 1,
      seed: 11,
      grammar: { maxStringLength: 24, reasoningLength: 32 },
    });
    try {
      for (let i = 0; i < 6; i++) {
        const reply = await sampler.chat({
          messages: [{ role: 'user', content: `Task ${i}: act on the page.` }],
          tools: wire,
          temperature: 1.2,
        });
        expect(reply.finishReason).toBe('tool_calls');
        expect(reply.toolCalls).toHaveLength(1);
        const call = reply.toolCalls[0]!;
        const result = await tal.dispatch({
          tool: call.function.name,
          args: JSON.parse(call.function.arguments),
        });
        expect(result.ok, `${call.function.name} ${call.function.arguments}: ${JSON.stringify(result)}`).toBe(
          true,
        );
      }
    } finally {
      await sampler.dispose();
    }
    expect(calls).toHaveLength(6);
    // Arbitrary calls, not one call repeated.
    expect(new Set(calls.map((c) => JSON.stringify(c))).size).toBeGreaterThan(3);
  });

  it('says what is wrong with a model or adapter file, before llama.cpp sees it', async () => {
    const missing = await failure(
      new NodeLlamaCppBackend({ modelPath: file('none.gguf'), gpu: false }).load(),
    );
    expect(missing.code).toBe('model-file');
    expect(missing.message).toContain(`no GGUF model file at ${file('none.gguf')}`);

    await writeFile(file('notes.gguf'), 'not a model');
    const garbage = await failure(
      new NodeLlamaCppBackend({ modelPath: file('notes.gguf'), gpu: false }).load(),
    );
    expect(garbage.code).toBe('model-file');
    expect(garbage.message).toMatch(/notes\.gguf is not a readable GGUF file/);
    // Cut inside the metadata: node-llama-cpp's header reader passes it, llama.cpp's loader refuses it.
    await writeFile(file('truncated.gguf'), tinyLlamaGguf().slice(0, 300));
    const truncated = await failure(
      new NodeLlamaCppBackend({ modelPath: file('truncated.gguf'), gpu: false }).load(),
    );
    expect(truncated.code).toBe('model-file');
    expect(truncated.message).toMatch(/could not load .*truncated\.gguf.*complete GGUF model/);

    const adapterAsModel = await failure(
      new NodeLlamaCppBackend({ modelPath: file('form-filler.gguf'), gpu: false }).load(),
    );
    expect(adapterAsModel.message).toMatch(/is a LoRA adapter, not a model/);

    // A LoRA for a llama of another size (hidden 32): refused with the tensor that does not fit.
    await writeTinyLlamaLora(file('other-base.gguf'), { shape: { hidden: 32 } });
    await writeTinyLlamaLora(file('absent.gguf'));
    await rm(file('absent.gguf'));
    const local = new NodeLlamaCppBackend({
      modelPath: file('tiny.gguf'),
      adapters: { Other: file('other-base.gguf'), Gone: file('absent.gguf') },
      gpu: false,
      threads: 1,
    });
    try {
      const wrong = await failure(local.chat({ self: 'Other', messages: [{ role: 'user', content: 'hi' }] }));
      expect(wrong.code).toBe('wrong-base-model');
      expect(wrong.message).toMatch(/blk\.0\.attn_.*\.lora_a is \[32,4\].*another model size/);
      const gone = await failure(local.chat({ self: 'Gone', messages: [{ role: 'user', content: 'hi' }] }));
      expect(gone.code).toBe('unknown-adapter');
      expect(local.contexts).toEqual([]);
    } finally {
      await local.dispose();
    }
  });

  it('imports node-llama-cpp only on first use (an optional peer: @chimera/phoenix/llm loads without it)', async () => {
    const here = new URL('.', import.meta.url).pathname;
    for (const name of await readdir(here)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const source = await readFile(join(here, name), 'utf8');
      for (const statement of source.matchAll(/^import\s[^;]*?from 'node-llama-cpp'/gm))
        expect(statement[0], name).toMatch(/^import type /);
    }
  });

  it('says how to install node-llama-cpp when it is missing', async () => {
    const error = await failure(loadNodeLlamaCpp('node-llama-cpp-not-installed'));
    expect(error.code).toBe('missing-dependency');
    expect(error.message).toContain('npm install node-llama-cpp@3.21.1');
  });
});
