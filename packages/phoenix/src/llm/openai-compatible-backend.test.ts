/**
 * The OpenAI-compatible backend against a test double of the server (a real HTTP server on
 * loopback with scripted replies, see __fixtures__/scripted-chat-server.ts): the wire format,
 * Self -> LoRA routing for vLLM and llama.cpp, and the errors. No real LLM server runs here.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPortUrl,
  completion,
  type ScriptedServer,
  startScriptedServer,
} from './__fixtures__/scripted-chat-server';
import { LanguageModelError } from './language-model-error';
import { loadVllmLoraAdapter, servedModels, unloadVllmLoraAdapter } from './lora-adapters';
import { OpenAICompatibleBackend } from './openai-compatible-backend';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const clickTool = {
  type: 'function' as const,
  function: {
    name: 'click',
    description: 'Click a button',
    parameters: { type: 'object', properties: { label: { type: 'string' } } },
  },
};

async function failure(promise: Promise<unknown>): Promise<LanguageModelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(LanguageModelError.isInstance(error)).toBe(true);
  return error as LanguageModelError;
}

describe('OpenAICompatibleBackend (against a scripted test-double server)', () => {
  it('sends tools in the chat-completions format and reads tool calls and reasoning', async () => {
    server = await startScriptedServer(() => ({
      json: completion({
        content: '<think>the goal names the button</think>',
        reasoning: 'server-side reasoning',
        toolCalls: [{ name: 'click', arguments: { label: 'Save' } }],
      }),
    }));
    const backend = new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'xlam-2-8b' });
    const reply = await backend.chat({
      messages: [{ role: 'user', content: 'save it' }],
      tools: [clickTool],
      temperature: 0,
    });
    expect(reply.toolCalls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'click', arguments: '{"label":"Save"}' } },
    ]);
    expect(reply.reasoning).toBe('server-side reasoning\nthe goal names the button');
    expect(reply.content).toBe('');
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body).toMatchObject({
      model: 'xlam-2-8b',
      tools: [clickTool],
      tool_choice: 'auto',
      temperature: 0,
      stream: false,
    });
  });

  it('vLLM: a Self is an adapter name in `model`; adapters load and unload at run time; wrong base models and unknown adapters are refused', async () => {
    const loaded = new Set<string>();
    server = await startScriptedServer(({ method, path, body }) => {
      if (method === 'GET' && path === '/v1/models') {
        return {
          json: {
            data: [
              { id: 'Salesforce/Llama-xLAM-2-8b-fc-r', root: '/models/Llama-xLAM-2-8b-fc-r', parent: null },
              ...[...loaded].map((id) => ({
                id,
                root: `/adapters/${id}`,
                parent: 'Salesforce/Llama-xLAM-2-8b-fc-r',
              })),
            ],
          },
        };
      }
      if (path === '/v1/load_lora_adapter') {
        loaded.add(String(body?.lora_name));
        return { text: 'Success: LoRA adapter loaded' };
      }
      if (path === '/v1/unload_lora_adapter') {
        if (!loaded.delete(String(body?.lora_name)))
          return { status: 404, json: { message: `The lora adapter '${body?.lora_name}' cannot be found.` } };
        return { text: 'Success' };
      }
      const model = String(body?.model);
      if (model !== 'Salesforce/Llama-xLAM-2-8b-fc-r' && !loaded.has(model)) {
        return {
          status: 404,
          json: {
            object: 'error',
            message: `The model \`${model}\` does not exist.`,
            type: 'NotFoundError',
            code: 404,
          },
        };
      }
      return { json: completion({ content: 'ok', model }) };
    });
    const dir = await mkdtemp(join(tmpdir(), 'chimera-llm-'));
    try {
      await writeFile(
        join(dir, 'adapter_config.json'),
        JSON.stringify({ base_model_name_or_path: 'Salesforce/Llama-xLAM-2-8b-fc-r' }),
      );
      // #region vllm-adapters
      const backend = new OpenAICompatibleBackend({
        baseUrl: `${server.url}/v1`,
        model: 'Salesforce/Llama-xLAM-2-8b-fc-r',
        lora: 'model-name',
        adapters: { Form_Filler: 'form-filler' },
      });
      await loadVllmLoraAdapter(backend, { name: 'form-filler', path: dir });
      const reply = await backend.chat({ self: 'Form_Filler', messages: [{ role: 'user', content: 'hi' }] });
      // reply.model === 'form-filler': the request ran with the Self's adapter
      // #endregion
      expect(reply.model).toBe('form-filler');
      expect(server.requests.at(-1)!.body?.model).toBe('form-filler');
      // A Self without an adapter runs on the base model.
      await backend.chat({ self: 'Planner_Self', messages: [{ role: 'user', content: 'hi' }] });
      expect(server.requests.at(-1)!.body?.model).toBe('Salesforce/Llama-xLAM-2-8b-fc-r');
      expect((await servedModels(backend)).map((m) => m.id)).toContain('form-filler');

      await unloadVllmLoraAdapter(backend, { name: 'form-filler' });
      const unknown = await failure(
        backend.chat({ self: 'Form_Filler', messages: [{ role: 'user', content: 'hi' }] }),
      );
      expect(unknown.code).toBe('unknown-adapter');
      expect(unknown.message).toMatch(
        /does not serve adapter "form-filler".*--lora-modules form-filler=<dir>/,
      );

      await writeFile(
        join(dir, 'adapter_config.json'),
        JSON.stringify({ base_model_name_or_path: 'Qwen/Qwen2.5-7B-Instruct' }),
      );
      const wrongBase = await failure(loadVllmLoraAdapter(backend, { name: 'form-filler', path: dir }));
      expect(wrongBase.code).toBe('wrong-base-model');
      expect(wrongBase.message).toMatch(
        /trained on "Qwen\/Qwen2.5-7B-Instruct" but the server runs "\/models\/Llama-xLAM-2-8b-fc-r"/,
      );
      expect(server.requests.filter((r) => r.path === '/v1/load_lora_adapter')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('llama.cpp: a Self selects its adapter by per-request scales, ids read from /lora-adapters', async () => {
    server = await startScriptedServer(({ path }) =>
      path === '/lora-adapters'
        ? {
            json: [
              { id: 0, path: '/selves/Form_Filler.gguf', scale: 0 },
              { id: 1, path: '/selves/Playwright_Navigator.gguf', scale: 0 },
            ],
          }
        : { json: completion({ content: 'ok' }) },
    );
    // #region llama-cpp-adapters
    const backend = new OpenAICompatibleBackend({
      baseUrl: `${server.url}/v1`,
      model: 'base.gguf',
      lora: 'llama-cpp',
      adapters: { Form_Filler: 'Form_Filler.gguf', Playwright_Navigator: 'Playwright_Navigator.gguf' },
    });
    // #endregion
    await backend.chat({ self: 'Playwright_Navigator', messages: [{ role: 'user', content: 'go' }] });
    await backend.chat({ self: 'Form_Filler', messages: [{ role: 'user', content: 'go' }] });
    await backend.chat({ self: 'Planner_Self', messages: [{ role: 'user', content: 'go' }] });
    const loras = server.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body?.lora);
    expect(loras).toEqual([
      [
        { id: 0, scale: 0 },
        { id: 1, scale: 1 },
      ],
      [
        { id: 0, scale: 1 },
        { id: 1, scale: 0 },
      ],
      [
        { id: 0, scale: 0 },
        { id: 1, scale: 0 },
      ],
    ]);
    expect(server.requests.filter((r) => r.path === '/lora-adapters')).toHaveLength(1);

    const missing = new OpenAICompatibleBackend({
      baseUrl: `${server.url}/v1`,
      model: 'base.gguf',
      lora: 'llama-cpp',
      adapters: { Summarizer: 'Summarizer.gguf' },
    });
    const error = await failure(
      missing.chat({ self: 'Summarizer', messages: [{ role: 'user', content: 'go' }] }),
    );
    expect(error.code).toBe('unknown-adapter');
    expect(error.message).toMatch(/no LoRA adapter "Summarizer.gguf".*--lora Summarizer.gguf/);
  });

  it('says which URL is unreachable and how to start a server', async () => {
    const url = await closedPortUrl();
    const backend = new OpenAICompatibleBackend({ baseUrl: `${url}/v1`, model: 'm' });
    const error = await failure(backend.chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain(`${url}/v1/chat/completions (ECONNREFUSED)`);
    expect(error.message).toMatch(/llama-server -m model.gguf --jinja/);
  });

  it('times out a server that does not answer', async () => {
    server = await startScriptedServer(() => 'hang');
    const backend = new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'm', timeoutMs: 300 });
    const error = await failure(backend.chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/did not answer within 300 ms/);
  });

  it('recognizes a server without tool calling', async () => {
    server = await startScriptedServer(() => ({
      status: 400,
      json: {
        object: 'error',
        message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        code: 400,
      },
    }));
    const backend = new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'm' });
    const error = await failure(
      backend.chat({ messages: [{ role: 'user', content: 'hi' }], tools: [clickTool] }),
    );
    expect(error.code).toBe('no-tool-calling');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/refused tool calling for model "m".*toolCalling: 'text'/);
  });
});
