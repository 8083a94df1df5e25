/**
 * A chat backend over any OpenAI-compatible server (llama.cpp `llama-server`, vLLM, Ollama, LM
 * Studio) with fetch. Selves map to LoRA adapters on the server:
 * - `model-name` (vLLM, and Ollama with one model per adapter): the request's `model` names the
 *   Self's adapter, so a Self swap is a different name in the next request;
 * - `llama-cpp`: adapters loaded with `llama-server --lora`, chosen per request by
 *   `lora: [{id, scale}]` (the Self's adapter at its scale, every other one at 0); names are mapped
 *   to ids once through `GET /lora-adapters`.
 */

import type { ChatBackend, ChatReply, ChatRequest, ChatToolCall } from './chat-types';
import { LanguageModelError } from './language-model-error';

export type LoraRouting = 'model-name' | 'llama-cpp' | 'none';

export interface OpenAICompatibleBackendOptions {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  /** The served base model (`model` of requests for Selves without an adapter). */
  model: string;
  apiKey?: string;
  /** How Selves select adapters (default `model-name` when `adapters` is given, else `none`). */
  lora?: LoraRouting;
  /**
   * Self -> adapter. `model-name`: the served adapter name (vLLM `--lora-modules name=path`).
   * `llama-cpp`: the adapter file as llama-server lists it (its path, or the file name).
   */
  adapters?: Record<string, string>;
  /** Adapter scale for llama.cpp (default 1). */
  loraScale?: number;
  /** Per-request timeout (default 120,000 ms). */
  timeoutMs?: number;
  /** Passed to the server as `tool_choice` when tools are sent (default `auto`). */
  toolChoice?: 'auto' | 'required';
  /** Extra body fields sent with every request (e.g. `{ top_k: 20 }`). */
  extraBody?: Record<string, unknown>;
  fetch?: typeof fetch;
}

const START_HINT =
  'start one, e.g. `llama-server -m model.gguf --jinja --port 8080` (llama.cpp), `vllm serve <model> --enable-auto-tool-choice --tool-call-parser <parser> --port 8000`, or `ollama serve`, or correct baseUrl';

export class OpenAICompatibleBackend implements ChatBackend {
  readonly name: string;
  readonly #options: OpenAICompatibleBackendOptions;
  readonly #fetch: typeof fetch;
  readonly #routing: LoraRouting;
  #llamaIds: Promise<Map<string, number>> | undefined;

  constructor(options: OpenAICompatibleBackendOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.#fetch = options.fetch ?? fetch;
    this.#routing = options.lora ?? (options.adapters ? 'model-name' : 'none');
    this.name = `openai-compatible:${options.model}`;
  }

  /** The base URL (with `/v1`), without a trailing slash. */
  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** The served base model. */
  get model(): string {
    return this.#options.model;
  }

  /** The server root (the base URL without a trailing `/v1`), where llama.cpp keeps `/lora-adapters`. */
  get rootUrl(): string {
    return this.#options.baseUrl.replace(/\/v1$/, '');
  }

  /** The adapter a Self runs with, or undefined for the base model. */
  adapterFor(self: string | undefined): string | undefined {
    if (self === undefined || this.#routing === 'none') return undefined;
    return this.#options.adapters?.[self];
  }

  async chat(request: ChatRequest): Promise<ChatReply> {
    const adapter = this.adapterFor(request.self);
    const body: Record<string, unknown> = {
      ...this.#options.extraBody,
      model: this.#routing === 'model-name' && adapter !== undefined ? adapter : this.#options.model,
      messages: request.messages,
      stream: false,
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.tools && request.tools.length > 0) {
      body.tools = request.tools;
      body.tool_choice = this.#options.toolChoice ?? 'auto';
    }
    if (this.#routing === 'llama-cpp') body.lora = await this.#llamaLora(adapter, request.signal);
    const url = `${this.#options.baseUrl}/chat/completions`;
    const response = await this.request(url, { method: 'POST', body: JSON.stringify(body) }, request.signal);
    const text = await response.text();
    if (!response.ok) throw this.#httpError(url, response.status, text, body);
    return parseReply(text, url);
  }

  /**
   * One HTTP call with the backend's timeout, auth header and error translation (connection
   * refused, timeout). Resolves to the response whatever its status.
   */
  async request(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeoutMs = this.#options.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    try {
      return await this.#fetch(url, {
        ...init,
        headers,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new LanguageModelError(
          'timeout',
          `the language-model server at ${url} did not answer within ${timeoutMs} ms; it may still be loading the model or the request is too long (raise timeoutMs, or lower max tokens)`,
          { cause: error, url },
        );
      }
      if (signal?.aborted) throw error;
      const code = causeCode(error);
      if (
        code === 'ECONNREFUSED' ||
        code === 'ENOTFOUND' ||
        code === 'EHOSTUNREACH' ||
        code === 'ECONNRESET'
      ) {
        throw new LanguageModelError(
          'unreachable',
          `cannot reach a language-model server at ${url} (${code}): nothing is listening there; ${START_HINT}`,
          { cause: error, url },
        );
      }
      throw new LanguageModelError('unreachable', `request to ${url} failed: ${(error as Error).message}`, {
        cause: error,
        url,
      });
    }
  }

  /** Adapter file -> id, as llama-server lists them (`GET /lora-adapters`), fetched once. */
  llamaAdapterIds(signal?: AbortSignal): Promise<Map<string, number>> {
    this.#llamaIds ??= (async () => {
      const url = `${this.rootUrl}/lora-adapters`;
      const response = await this.request(url, { method: 'GET' }, signal);
      const text = await response.text();
      if (!response.ok) throw this.#httpError(url, response.status, text, {});
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        throw new LanguageModelError('bad-response', `${url} did not return JSON: ${text.slice(0, 200)}`, {
          url,
        });
      }
      if (!Array.isArray(list))
        throw new LanguageModelError('bad-response', `${url} did not return a list`, { url });
      const ids = new Map<string, number>();
      for (const entry of list as { id?: unknown; path?: unknown }[]) {
        if (typeof entry.id === 'number' && typeof entry.path === 'string') ids.set(entry.path, entry.id);
      }
      return ids;
    })();
    this.#llamaIds.catch(() => {
      this.#llamaIds = undefined;
    });
    return this.#llamaIds;
  }

  async #llamaLora(
    adapter: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ id: number; scale: number }[]> {
    const ids = await this.llamaAdapterIds(signal);
    let active: number | undefined;
    if (adapter !== undefined) {
      for (const [path, id] of ids) if (path === adapter || basename(path) === basename(adapter)) active = id;
      if (active === undefined) {
        throw new LanguageModelError(
          'unknown-adapter',
          `llama-server at ${this.rootUrl} has no LoRA adapter "${adapter}" (it has ${[...ids.keys()].join(', ') || 'none'}); start it with \`--lora ${adapter}\` (add \`--lora-init-without-apply\` so adapters start at scale 0)`,
          { url: `${this.rootUrl}/lora-adapters` },
        );
      }
    }
    // Every adapter is listed: the active one at its scale, the others explicitly off.
    return [...ids.values()].map((id) => ({ id, scale: id === active ? (this.#options.loraScale ?? 1) : 0 }));
  }

  #httpError(url: string, status: number, text: string, body: Record<string, unknown>): LanguageModelError {
    const message = errorMessage(text);
    if (body.tools !== undefined && status >= 400 && status < 500 && /tool/i.test(message)) {
      return new LanguageModelError(
        'no-tool-calling',
        `the server at ${url} refused tool calling for model "${String(body.model)}": ${message}. Enable it (llama-server --jinja; vllm serve --enable-auto-tool-choice --tool-call-parser <parser>; an Ollama model whose template supports tools), or use text tool calls (LanguageModelPolicy toolCalling: 'text')`,
        { url, status },
      );
    }
    if (
      (status === 404 || status === 400) &&
      /model|adapter|lora/i.test(message) &&
      body.model !== this.#options.model
    ) {
      return new LanguageModelError(
        'unknown-adapter',
        `the server at ${url} does not serve adapter "${String(body.model)}": ${message}. Serve it (vllm serve ... --enable-lora --lora-modules ${String(body.model)}=<dir>, or loadVllmLoraAdapter()) or fix the Self's adapter name`,
        { url, status },
      );
    }
    return new LanguageModelError('http-error', `${url} answered ${status}: ${message}`, { url, status });
  }
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string } | string;
      message?: string;
      detail?: string;
    };
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? parsed.message ?? parsed.detail ?? text.slice(0, 300);
  } catch {
    return text.slice(0, 300) || '(empty body)';
  }
}

const THINK = /<think>([\s\S]*?)(?:<\/think>|$)/g;

/** Reads a chat-completions response body (non-streaming). */
export function parseReply(text: string, url = 'the server'): ChatReply {
  let json: {
    model?: string;
    choices?: {
      finish_reason?: string;
      message?: {
        content?: string | null;
        tool_calls?: ChatToolCall[];
        reasoning_content?: string;
        reasoning?: string;
      };
    }[];
  };
  try {
    json = JSON.parse(text);
  } catch {
    throw new LanguageModelError(
      'bad-response',
      `${url} returned a body that is not JSON: ${text.slice(0, 200)}`,
      {
        url,
      },
    );
  }
  const choice = json.choices?.[0];
  if (!choice?.message) {
    throw new LanguageModelError(
      'bad-response',
      `${url} returned no choices[0].message: ${text.slice(0, 200)}`,
      {
        url,
      },
    );
  }
  const message = choice.message;
  let content = message.content ?? '';
  const thoughts: string[] = [];
  const serverReasoning = message.reasoning_content ?? message.reasoning;
  if (serverReasoning) thoughts.push(serverReasoning.trim());
  content = content.replace(THINK, (_, inner: string) => {
    thoughts.push(inner.trim());
    return '';
  });
  const reply: ChatReply = {
    content: content.trim(),
    toolCalls: (message.tool_calls ?? []).map((call, i) => ({
      id: call.id ?? `call_${i}`,
      type: 'function',
      function: {
        name: call.function?.name ?? '',
        // Some servers send arguments as an object rather than a JSON string.
        arguments:
          typeof call.function?.arguments === 'string'
            ? call.function.arguments
            : JSON.stringify(call.function?.arguments ?? {}),
      },
    })),
    model: json.model ?? '',
  };
  if (thoughts.length > 0) reply.reasoning = thoughts.filter(Boolean).join('\n');
  if (choice.finish_reason) reply.finishReason = choice.finish_reason;
  return reply;
}
