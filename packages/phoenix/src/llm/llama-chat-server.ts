/**
 * A small OpenAI-compatible server over NodeLlamaCppBackend, speaking the subset of llama.cpp's
 * `llama-server` that OpenAICompatibleBackend uses: `GET /v1/models`, `POST /v1/chat/completions`
 * (with `tools`: calls decoded under the tools' grammar, returned as `tool_calls`, the reasoning
 * field as `reasoning_content`), and LoRA adapters as llama-server serves them: loaded at start
 * (`--lora`), listed with ids by `GET /lora-adapters`, global scales set by `POST /lora-adapters`,
 * and per-request scales in the request's `lora: [{id, scale}]` (adapters it leaves out: scale 0).
 *
 * It exists so the OpenAI-compatible path can be tested against a real server running a real model
 * on any machine, and to serve a GGUF model with Self adapters locally without a llama.cpp build.
 * One request runs at a time per adapter set; it is not a production server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { ChatMessage, ChatRequest } from './chat-types';
import { LanguageModelError } from './language-model-error';
import {
  type AdapterScale,
  NodeLlamaCppBackend,
  type NodeLlamaCppBackendOptions,
} from './node-llama-cpp-backend';

export interface LlamaChatServerOptions extends Omit<NodeLlamaCppBackendOptions, 'adapters'> {
  /** LoRA adapter files, as `llama-server --lora` (ids in this order). Checked against the model at start. */
  lora?: readonly string[];
  /** Adapters start at scale 0 (llama-server `--lora-init-without-apply`); default: scale 1. */
  loraInitWithoutApply?: boolean;
  /** The model id in `/v1/models` and replies (default: the model file's name). */
  modelName?: string;
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface LlamaChatServer {
  /** `http://host:port` (the OpenAI base URL is this plus `/v1`). */
  readonly url: string;
  readonly backend: NodeLlamaCppBackend;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    throw new RequestError(400, `the request body is not JSON: ${text.slice(0, 100)}`);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Starts the server; the model loads (and adapters are checked) before it listens. */
export async function startLlamaChatServer(options: LlamaChatServerOptions): Promise<LlamaChatServer> {
  const {
    lora = [],
    loraInitWithoutApply,
    modelName,
    host = '127.0.0.1',
    port = 0,
    ...backendOptions
  } = options;
  const backend = new NodeLlamaCppBackend(backendOptions);
  const modelId = modelName ?? basename(options.modelPath);
  const adapters = lora.map((path, id) => ({ id, path, scale: loraInitWithoutApply ? 0 : 1 }));
  try {
    await backend.load();
    for (const adapter of adapters) await backend.checkAdapter(adapter.path);
  } catch (error) {
    await backend.dispose();
    throw error;
  }
  let served = 0;

  /** Scales from a `[{id, scale}]` list; adapters it leaves out get `fallback`'s scale or 0. */
  const scalesFrom = (list: unknown, fallback: 'zero' | 'global'): number[] => {
    if (!Array.isArray(list))
      throw new RequestError(400, 'lora must be a list of {"id": number, "scale": number}');
    const scales = adapters.map((a) => (fallback === 'global' ? a.scale : 0));
    for (const entry of list as { id?: unknown; scale?: unknown }[]) {
      const id = entry?.id;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= adapters.length)
        throw new RequestError(
          400,
          `no LoRA adapter with id ${JSON.stringify(id)} (ids 0..${adapters.length - 1})`,
        );
      if (typeof entry.scale !== 'number' || !Number.isFinite(entry.scale))
        throw new RequestError(400, `LoRA adapter ${id}: scale must be a number`);
      scales[id] = entry.scale;
    }
    return scales;
  };

  const completions = async (body: Record<string, unknown>) => {
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw new RequestError(400, "'messages' must be a non-empty list");
    const scales = body.lora === undefined ? adapters.map((a) => a.scale) : scalesFrom(body.lora, 'zero');
    const active: AdapterScale[] = adapters.flatMap((a, i) =>
      scales[i] ? [{ path: a.path, scale: scales[i] }] : [],
    );
    const tools = Array.isArray(body.tools) && body.tool_choice !== 'none' ? body.tools : undefined;
    const request: ChatRequest = { messages: body.messages as ChatMessage[] };
    if (tools && tools.length > 0) request.tools = tools;
    if (typeof body.temperature === 'number') request.temperature = body.temperature;
    const maxTokens = body.max_tokens ?? body.max_completion_tokens;
    if (typeof maxTokens === 'number') request.maxTokens = maxTokens;
    const reply = await backend.complete(request, active);
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: reply.toolCalls.length ? null : reply.content,
    };
    if (reply.toolCalls.length > 0) message.tool_calls = reply.toolCalls;
    if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
    return {
      id: `chatcmpl-${++served}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === 'string' ? body.model : modelId,
      choices: [{ index: 0, message, finish_reason: reply.finishReason ?? 'stop' }],
    };
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = `${request.method} ${path}`;
    (async () => {
      switch (route) {
        case 'GET /v1/models':
        case 'GET /models':
          return send(response, 200, {
            object: 'list',
            data: [{ id: modelId, object: 'model', owned_by: 'chimera', created: 0 }],
          });
        case 'GET /lora-adapters':
          return send(response, 200, adapters);
        case 'POST /lora-adapters': {
          const scales = scalesFrom(await readJson(request), 'global');
          adapters.forEach((a, i) => {
            a.scale = scales[i]!;
          });
          return send(response, 200, adapters);
        }
        case 'POST /v1/chat/completions':
        case 'POST /chat/completions': {
          const body = await readJson(request);
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            throw new RequestError(400, 'the request body must be a JSON object');
          return send(response, 200, await completions(body as Record<string, unknown>));
        }
        default:
          throw new RequestError(404, `no route ${route}`);
      }
    })().catch((error: unknown) => {
      const status = error instanceof RequestError ? error.status : 500;
      const type =
        status === 404 ? 'not_found_error' : status === 400 ? 'invalid_request_error' : 'server_error';
      const message =
        LanguageModelError.isInstance(error) || error instanceof Error ? error.message : String(error);
      if (!response.headersSent) send(response, status, { error: { code: status, message, type } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    backend,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await backend.dispose();
    },
  };
}
