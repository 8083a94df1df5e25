/**
 * An in-process chat backend over node-llama-cpp (llama.cpp bindings): a GGUF base model loaded
 * once, and one llama.cpp context per active Self, created with that Self's GGUF LoRA adapter
 * (node-llama-cpp takes adapters only when a context is created, so a Self is a context, not a
 * per-request switch). Contexts are created lazily and kept in a small LRU pool.
 *
 * Tool calls are decoded under a grammar built from the tools' JSON Schemas
 * (`tool-call-grammar.ts`): the model can only write one JSON object naming a tool and arguments
 * that follow its schema, optionally after a short free-text reasoning field. The policy still
 * validates every call through the TAL (the grammar leaves some keywords unenforced, and a valid
 * call may not be an available action).
 *
 * node-llama-cpp is an optional peer dependency, imported on first use.
 */
import { basename } from 'node:path';
import type { OpenAIFunctionTool } from '@chimera/toolbelt';
import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import type { ChatBackend, ChatMessage, ChatReply, ChatRequest, ChatToolCall } from './chat-types';
import { LanguageModelError } from './language-model-error';
import {
  checkAdapterFits,
  type GgufSummary,
  loadNodeLlamaCpp,
  type NodeLlamaCppModule,
  readGgufSummary,
} from './node-llama-cpp-loader';
import { substitutePlaceholders, type ToolCallGrammarOptions, toolCallGrammar } from './tool-call-grammar';

/** A Self's adapter: a GGUF LoRA file (for llama.cpp: `exportSelfToGguf`) and its scale. */
export type LocalAdapter = string | { path: string; scale?: number };

/** A GGUF LoRA file applied at a scale. */
export interface AdapterScale {
  path: string;
  scale: number;
}

export interface NodeLlamaCppBackendOptions {
  /** The GGUF base model. */
  modelPath: string;
  /** Self -> its GGUF LoRA adapter. A Self without one runs on the base model. */
  adapters?: Record<string, LocalAdapter>;
  /** Tokens per context (default 4,096, at most the model's training context). */
  contextSize?: number;
  /** Contexts kept at once, one per (adapter, scale); the least recently used goes first (default 2). */
  maxContexts?: number;
  /** Tokens a reply may take (default 512); a request's `maxTokens` overrides it. */
  maxTokens?: number;
  /** CPU threads (default: node-llama-cpp's choice). */
  threads?: number;
  /**
   * Compute backend: `auto` (default) takes a GPU build when its prebuilt binary is installed,
   * else the CPU; `false` forces the CPU. Nothing is ever built or downloaded at run time.
   */
  gpu?: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  /** Sampling seed for temperatures above 0 (default: random). */
  seed?: number;
  /** Limits of the tool-call grammar (string and array caps, the reasoning field). */
  grammar?: ToolCallGrammarOptions;
  /** A node-llama-cpp `Llama` to share (from `getLlama()`); by default the backend makes its own. */
  llama?: unknown;
}

interface PoolEntry {
  key: string;
  context: LlamaContext;
  chat: LlamaChat;
  /** Requests on one context run one after another. */
  queue: Promise<unknown>;
}

interface Loaded {
  module: NodeLlamaCppModule;
  llama: Llama;
  ownsLlama: boolean;
  model: LlamaModel;
  summary: GgufSummary;
  contextSize: number;
}

export class NodeLlamaCppBackend implements ChatBackend {
  readonly name: string;
  readonly #options: NodeLlamaCppBackendOptions;
  #loaded: Promise<Loaded> | undefined;
  readonly #pool = new Map<string, Promise<PoolEntry>>();
  readonly #adapterChecks = new Map<string, Promise<void>>();
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  #disposed = false;

  constructor(options: NodeLlamaCppBackendOptions) {
    this.#options = options;
    this.name = `node-llama-cpp:${basename(options.modelPath)}`;
  }

  /** The adapter a Self runs with, or undefined for the base model. */
  adapterFor(self: string | undefined): AdapterScale | undefined {
    const entry = self === undefined ? undefined : this.#options.adapters?.[self];
    if (entry === undefined) return undefined;
    return typeof entry === 'string'
      ? { path: entry, scale: 1 }
      : { path: entry.path, scale: entry.scale ?? 1 };
  }

  /** Loads node-llama-cpp and the model (done by the first `chat` otherwise). */
  async load(): Promise<void> {
    await this.#load();
  }

  #load(): Promise<Loaded> {
    if (this.#disposed) throw new LanguageModelError('model-file', `${this.name} was disposed`);
    this.#loaded ??= (async () => {
      const module = await loadNodeLlamaCpp();
      const summary = await readGgufSummary(module, this.#options.modelPath, 'model');
      if (summary.type === 'adapter') {
        throw new LanguageModelError(
          'model-file',
          `${this.#options.modelPath} is a LoRA adapter, not a model: pass the base model as modelPath and the adapter in adapters`,
        );
      }
      const ownsLlama = this.#options.llama === undefined;
      const llama =
        (this.#options.llama as Llama | undefined) ??
        (await module.getLlama({
          gpu: this.#options.gpu ?? 'auto',
          // Prebuilt binaries only: never fetch or compile llama.cpp at run time.
          build: 'never',
          skipDownload: true,
          ...(this.#options.threads === undefined ? {} : { maxThreads: this.#options.threads }),
          logLevel: module.LlamaLogLevel.error,
        }));
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath: this.#options.modelPath });
      } catch (cause) {
        if (ownsLlama) await llama.dispose();
        throw new LanguageModelError(
          'model-file',
          `llama.cpp could not load ${this.#options.modelPath} (${(cause as Error).message}); check that it is a complete GGUF model of an architecture this node-llama-cpp build supports`,
          { cause },
        );
      }
      const contextSize = Math.min(this.#options.contextSize ?? 4096, model.trainContextSize);
      return { module, llama, ownsLlama, model, summary, contextSize };
    })();
    this.#loaded.catch(() => {
      this.#loaded = undefined;
    });
    return this.#loaded;
  }

  /**
   * Checks a GGUF LoRA file against the model (architecture, tensor names and shapes), once per
   * path: `unknown-adapter` when the file is missing, `wrong-base-model` when it does not fit.
   */
  checkAdapter(path: string): Promise<void> {
    let check = this.#adapterChecks.get(path);
    if (!check) {
      check = this.#load().then(async (loaded) =>
        checkAdapterFits(loaded.summary, await readGgufSummary(loaded.module, path, 'adapter')),
      );
      check.catch(() => this.#adapterChecks.delete(path));
      this.#adapterChecks.set(path, check);
    }
    return check;
  }

  async #entry(loaded: Loaded, adapters: readonly AdapterScale[]): Promise<PoolEntry> {
    const key = adapters.map((a) => `${a.path}@${a.scale}`).join('+');
    const existing = this.#pool.get(key);
    if (existing) {
      // Most recently used last.
      this.#pool.delete(key);
      this.#pool.set(key, existing);
      return existing;
    }
    const created = (async (): Promise<PoolEntry> => {
      for (const adapter of adapters) await this.checkAdapter(adapter.path);
      let context: LlamaContext;
      try {
        context = await loaded.model.createContext({
          contextSize: loaded.contextSize,
          ...(this.#options.threads === undefined ? {} : { threads: this.#options.threads }),
          ...(adapters.length > 0
            ? { lora: { adapters: adapters.map((a) => ({ filePath: a.path, scale: a.scale })) } }
            : {}),
        });
      } catch (cause) {
        const names = adapters.map((a) => a.path).join(', ');
        throw new LanguageModelError(
          names ? 'wrong-base-model' : 'model-file',
          `llama.cpp could not create a context${names ? ` with the LoRA adapters ${names}` : ''} for ${this.#options.modelPath}: ${(cause as Error).message}`,
          { cause },
        );
      }
      const chat = new loaded.module.LlamaChat({ contextSequence: context.getSequence() });
      return { key, context, chat, queue: Promise.resolve() };
    })();
    this.#pool.set(key, created);
    created.catch(() => {
      if (this.#pool.get(key) === created) this.#pool.delete(key);
    });
    this.#evict();
    return created;
  }

  /** Drops the least recently used contexts beyond `maxContexts`, after their running requests. */
  #evict(): void {
    const max = Math.max(1, this.#options.maxContexts ?? 2);
    while (this.#pool.size > max) {
      const [key, oldest] = this.#pool.entries().next().value as [string, Promise<PoolEntry>];
      this.#pool.delete(key);
      void oldest.then(
        (entry) => entry.queue.finally(() => entry.context.dispose()),
        () => undefined,
      );
    }
  }

  /**
   * Contexts alive now, least recently used first: `path@scale` of their adapters joined by `+`
   * ('' for the base model).
   */
  get contexts(): string[] {
    return [...this.#pool.keys()];
  }

  async #grammar(loaded: Loaded, tools: readonly OpenAIFunctionTool[]): Promise<LlamaGrammar> {
    const key = JSON.stringify(tools.map((t) => t.function));
    let grammar = this.#grammars.get(key);
    if (!grammar) {
      grammar = (async () => {
        const spec = toolCallGrammar(tools, this.#options.grammar);
        const json = await loaded.llama.createGrammarForJsonSchema(spec.schema as never);
        if (spec.substitutions.size === 0) return json;
        return loaded.llama.createGrammar({
          grammar: substitutePlaceholders(json.grammar, spec.substitutions),
          stopGenerationTriggers: json.stopGenerationTriggers,
          trimWhitespaceSuffix: json.trimWhitespaceSuffix,
        });
      })();
      grammar.catch(() => this.#grammars.delete(key));
      this.#grammars.set(key, grammar);
    }
    return grammar;
  }

  /** One chat completion with the request's Self's adapter (none: the base model). */
  async chat(request: ChatRequest): Promise<ChatReply> {
    const adapter = this.adapterFor(request.self);
    return this.complete(request, adapter ? [adapter] : []);
  }

  /**
   * One chat completion with the given adapters at their scales (adapters at scale 0 are left
   * out). Each distinct set is a context of its own. `request.self` is ignored here.
   */
  async complete(request: ChatRequest, adapters: readonly AdapterScale[]): Promise<ChatReply> {
    const loaded = await this.#load();
    const active = adapters.filter((a) => a.scale !== 0);
    const tools = request.tools ?? [];
    const grammar = tools.length > 0 ? await this.#grammar(loaded, tools) : undefined;
    const entry = await this.#entry(loaded, active);
    const history = toHistory(request.messages, tools);
    const temperature = request.temperature ?? 0;
    const run = async () => {
      const response = await entry.chat.generateResponse(history, {
        maxTokens: request.maxTokens ?? this.#options.maxTokens ?? 512,
        temperature,
        ...(temperature > 0 && this.#options.seed !== undefined ? { seed: this.#options.seed } : {}),
        ...(grammar ? { grammar } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { text: response.response, stop: response.metadata.stopReason };
    };
    const result = entry.queue.then(run, run);
    entry.queue = result.catch(() => undefined);
    const { text, stop } = await result;
    const model =
      active.length > 0 ? active.map((a) => basename(a.path)).join('+') : basename(this.#options.modelPath);
    return grammar
      ? readToolCall(text, stop, model)
      : { content: text.trim(), toolCalls: [], finishReason: finish(stop), model };
  }

  /** Frees the contexts and the model (and node-llama-cpp's `Llama`, if this backend made it). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const entries = await Promise.allSettled([...this.#pool.values()]);
    this.#pool.clear();
    for (const e of entries) if (e.status === 'fulfilled') await e.value.context.dispose();
    const loaded = await this.#loaded?.catch(() => undefined);
    if (!loaded) return;
    await loaded.model.dispose();
    if (loaded.ownsLlama) await loaded.llama.dispose();
  }
}

function finish(stop: string): string {
  return stop === 'maxTokens' ? 'length' : 'stop';
}

/** The grammar's JSON object as an OpenAI tool call; unparseable (cut at max tokens) stays text. */
function readToolCall(text: string, stop: string, model: string): ChatReply {
  let parsed: { reasoning?: unknown; name?: unknown; arguments?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    return { content: text, toolCalls: [], finishReason: finish(stop), model };
  }
  const call: ChatToolCall = {
    id: 'call_0',
    type: 'function',
    function: { name: String(parsed.name), arguments: JSON.stringify(parsed.arguments ?? {}) },
  };
  const reply: ChatReply = { content: '', toolCalls: [call], finishReason: 'tool_calls', model };
  if (typeof parsed.reasoning === 'string' && parsed.reasoning.trim() !== '')
    reply.reasoning = parsed.reasoning.trim();
  return reply;
}

/** How the tools are described to the model (the grammar then holds it to them). */
export function toolsPrompt(tools: readonly OpenAIFunctionTool[]): string {
  const lines = tools.map(
    (t) =>
      `- ${t.function.name}: ${t.function.description}\n  arguments: ${JSON.stringify(t.function.parameters)}`,
  );
  return `Tools:\n${lines.join('\n')}\nAnswer with one JSON object: {"reasoning": "<brief>", "name": "<tool>", "arguments": {...}}`;
}

/** OpenAI chat messages as node-llama-cpp chat history, ending with the model's turn to answer. */
function toHistory(
  messages: readonly ChatMessage[],
  tools: readonly OpenAIFunctionTool[],
): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const names = new Map<string, string>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        history.push({ type: 'user', text: message.content });
        break;
      case 'assistant': {
        const calls = (message.tool_calls ?? []).map((c) => {
          names.set(c.id, c.function.name);
          return JSON.stringify({ name: c.function.name, arguments: safeJson(c.function.arguments) });
        });
        history.push({
          type: 'model',
          response: [[message.content ?? '', ...calls].filter(Boolean).join('\n')],
        });
        break;
      }
      case 'tool':
        history.push({
          type: 'user',
          text: `Result of ${names.get(message.tool_call_id) ?? 'the call'} (${message.tool_call_id}): ${message.content}`,
        });
        break;
    }
  }
  if (tools.length > 0) {
    const prompt = toolsPrompt(tools);
    const system = history.findIndex((h) => h.type === 'system');
    if (system >= 0) {
      const item = history[system] as { type: 'system'; text: string };
      history[system] = { type: 'system', text: `${item.text}\n\n${prompt}` };
    } else history.unshift({ type: 'system', text: prompt });
  }
  history.push({ type: 'model', response: [] });
  return history;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
