/**
 * A policy driven by a language model. For each decision it sends the active Self's persona, the
 * tools (native function tools, or a catalog in the prompt) and the episode context with the
 * actions available now; it reads one tool call back, validates it through the TAL (the same
 * lookup and argument validation a dispatch does, without executing), and matches it to one of the
 * environment's candidate actions. A rejected call goes back to the model as data (a tool message
 * with the TAL's error) for a bounded number of corrections. The model's reasoning becomes the
 * experience's thought process.
 *
 * The Policy seam is candidate-based (the runner dispatches `candidates[index].call`), so a valid
 * call that is not among the candidates is also corrected. The model gives no probabilities over
 * candidates: `logProb` is 0 (a deterministic choice) and `value` is 0 (no value head).
 */
import {
  type AnyTool,
  type DispatchMiddleware,
  parseToolCall,
  ToolAbstractionLayer,
  type ToolCall,
  type ToolErrorInfo,
  ToolRegistry,
  toOpenAITool,
} from '@chimera/toolbelt';
import {
  type DecisionRequest,
  type Policy,
  type PolicyDecision,
  policyContext,
  policyContextText,
} from '../policy';
import type { ChatBackend, ChatMessage, ChatReply } from './chat-types';
import { LanguageModelError } from './language-model-error';
import { type Persona, rosterPersona, systemPrompt } from './system-prompt';

export interface LanguageModelPolicyOptions {
  backend: ChatBackend;
  /** The environment's tools: their schemas go to the model, their validators check its calls. */
  tools: ToolRegistry | readonly AnyTool[];
  /** Persona of a Self (e.g. `(s) => library.metadata(s)`). Default: the roster's entry. */
  persona?: (self: string) => Persona | undefined;
  /**
   * `native`: send `tools`, read `tool_calls`. `text`: describe tools in the prompt, parse JSON from
   * the reply. `auto` (default): native, switching to text for good when the server has no tool calling.
   */
  toolCalling?: 'native' | 'text' | 'auto';
  /** Corrections after a rejected call (default 2). */
  maxCorrections?: number;
  /**
   * When every attempt was rejected: `closest` (default) takes the candidate nearest to the last
   * call (same tool, most equal arguments; ties by the request's uniform draw) and says so in the
   * thought; `throw` raises LanguageModelError `no-valid-call`.
   */
  onExhausted?: 'closest' | 'throw';
  /** Sampling temperature when exploring (default 0.7) and when not (default 0). */
  temperature?: { explore?: number; exploit?: number };
  maxTokens?: number;
  /** Receives every decision's full exchange (for logs and tests). */
  onTranscript?: (transcript: DecisionTranscript) => void;
}

export interface DecisionAttempt {
  reply: ChatReply;
  /** The call as read from the reply (undefined when none could be read). */
  call?: ToolCall;
  /** Why it was rejected; absent for the accepted attempt. */
  error?: ToolErrorInfo;
}

export interface DecisionTranscript {
  self: string;
  mode: 'native' | 'text';
  messages: ChatMessage[];
  attempts: DecisionAttempt[];
  chosenIndex: number;
  /** True when no attempt was accepted and the closest candidate was taken. */
  fallback: boolean;
}

/** Stable JSON (sorted keys) for comparing arguments. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Validation without execution: the TAL looks up and validates, this middleware stops it there. */
const dryRun: DispatchMiddleware = {
  name: 'language-model-policy/dry-run',
  before: ({ tool, call, args }) => ({
    ok: true,
    tool: tool.name,
    value: args,
    durationMs: 0,
    callId: call.id,
  }),
};

export class LanguageModelPolicy implements Policy {
  readonly name: string;
  readonly #options: LanguageModelPolicyOptions;
  readonly #tools: AnyTool[];
  readonly #validator: ToolAbstractionLayer;
  #mode: 'native' | 'text';

  constructor(options: LanguageModelPolicyOptions) {
    this.#options = options;
    const registry = Array.isArray(options.tools)
      ? new ToolRegistry(options.tools as readonly AnyTool[])
      : (options.tools as ToolRegistry);
    this.#tools = registry.list();
    this.#validator = new ToolAbstractionLayer({ registry, middleware: [dryRun] });
    this.#mode = options.toolCalling === 'text' ? 'text' : 'native';
    this.name = `language-model:${options.backend.name}`;
  }

  /** How tool calls currently travel (`auto` may have switched to `text`). */
  get toolCallingMode(): 'native' | 'text' {
    return this.#mode;
  }

  async decide(request: DecisionRequest): Promise<PolicyDecision> {
    const context = policyContext(request);
    const persona = (this.#options.persona ?? rosterPersona)(request.self);
    const maxCorrections = this.#options.maxCorrections ?? 2;
    const temperature = request.explore
      ? (this.#options.temperature?.explore ?? 0.7)
      : (this.#options.temperature?.exploit ?? 0);
    const actions = request.candidates
      .map((c, i) => `${i + 1}. ${c.text}  ->  ${c.call.tool} ${JSON.stringify(c.call.args ?? {})}`)
      .join('\n');
    const userText = `${policyContextText(context)}\n\nAvailable actions (call exactly one):\n${actions}`;
    const start = (mode: 'native' | 'text'): ChatMessage[] => [
      { role: 'system', content: systemPrompt({ self: request.self, persona, tools: this.#tools, mode }) },
      { role: 'user', content: userText },
    ];
    let messages = start(this.#mode);
    const attempts: DecisionAttempt[] = [];
    const thoughts: string[] = [];
    let chosen: number | undefined;
    let lastCall: ToolCall | undefined;

    while (attempts.length <= maxCorrections) {
      const reply = await this.#chat(messages, request.self, temperature, () => {
        messages = start('text');
        return messages;
      });
      const thought =
        reply.reasoning ??
        (this.#mode === 'native' || reply.toolCalls.length > 0
          ? reply.content
          : textBeforeCall(reply.content));
      if (thought) thoughts.push(thought.trim());
      const { call, error, toolCallId } = await this.#read(reply);
      if (call) lastCall = call;
      const rejection = error ?? this.#match(call!, request, (index) => (chosen = index));
      attempts.push(rejection ? { reply, call, error: rejection } : { reply, call });
      if (!rejection) break;
      thoughts.push(`[rejected: ${rejection.code}: ${rejection.message}]`);
      messages = [...messages, ...this.#correction(reply, toolCallId, rejection)];
    }

    let fallback = false;
    if (chosen === undefined) {
      if (this.#options.onExhausted === 'throw') {
        throw new LanguageModelError(
          'no-valid-call',
          `the model made no acceptable call in ${attempts.length} attempts (last error: ${attempts.at(-1)?.error?.message ?? 'none'})`,
        );
      }
      fallback = true;
      chosen = closestCandidate(request, lastCall);
      thoughts.push(
        `[no acceptable call after ${attempts.length} attempts: took the closest action "${request.candidates[chosen]!.text}"]`,
      );
    }
    this.#options.onTranscript?.({
      self: request.self,
      mode: this.#mode,
      messages,
      attempts,
      chosenIndex: chosen,
      fallback,
    });
    const decision: PolicyDecision = { index: chosen, logProb: 0, value: 0, context };
    const thought = thoughts.filter(Boolean).join('\n');
    if (thought) decision.thought = thought;
    return decision;
  }

  /** No value head: 0 for every state (TD errors then come from rewards alone). */
  async value(): Promise<number> {
    return 0;
  }

  async #chat(
    messages: ChatMessage[],
    self: string,
    temperature: number,
    restartAsText: () => ChatMessage[],
  ): Promise<ChatReply> {
    const request = {
      messages,
      self,
      temperature,
      ...(this.#options.maxTokens !== undefined ? { maxTokens: this.#options.maxTokens } : {}),
    };
    if (this.#mode === 'text') return this.#options.backend.chat(request);
    try {
      return await this.#options.backend.chat({ ...request, tools: this.#tools.map(toOpenAITool) });
    } catch (error) {
      const auto = (this.#options.toolCalling ?? 'auto') === 'auto';
      if (!auto || !LanguageModelError.isInstance(error) || error.code !== 'no-tool-calling') throw error;
      // The server cannot call tools: describe them in the prompt from now on.
      this.#mode = 'text';
      return this.#options.backend.chat({ ...request, messages: restartAsText() });
    }
  }

  /** The call in a reply, validated by the TAL; or the error the model gets back. */
  async #read(reply: ChatReply): Promise<{ call?: ToolCall; error?: ToolErrorInfo; toolCallId?: string }> {
    const native = reply.toolCalls[0];
    let parsed: ReturnType<typeof parseToolCall>;
    if (native) {
      parsed = parseToolCall(native);
      if (reply.toolCalls.length > 1 && parsed.ok) {
        return {
          call: parsed.call,
          toolCallId: native.id,
          error: {
            code: 'parse_error',
            message: `${reply.toolCalls.length} tool calls were sent; send exactly one.`,
          },
        };
      }
    } else {
      parsed = parseToolCall(reply.content);
    }
    if (!parsed.ok) return { error: parsed.error, toolCallId: native?.id };
    const result = await this.#validator.dispatch(parsed.call);
    if (!result.ok) return { call: parsed.call, error: result.error, toolCallId: native?.id };
    return { call: { ...parsed.call, args: result.value }, toolCallId: native?.id };
  }

  /** Undefined when `call` is one of the candidates (and reports its index); else the error for the model. */
  #match(
    call: ToolCall,
    request: DecisionRequest,
    found: (index: number) => void,
  ): ToolErrorInfo | undefined {
    const key = `${call.tool}:${canonical(call.args)}`;
    const index = request.candidates.findIndex(
      (c) => `${c.call.tool}:${canonical(c.call.args ?? {})}` === key,
    );
    if (index >= 0) {
      found(index);
      return undefined;
    }
    return {
      code: 'invalid_arguments',
      message: `${call.tool} ${JSON.stringify(call.args)} is a valid call but not one of the actions available now. Call exactly one of the listed actions.`,
      details: { available: request.candidates.map((c) => ({ tool: c.call.tool, args: c.call.args })) },
    };
  }

  #correction(reply: ChatReply, toolCallId: string | undefined, error: ToolErrorInfo): ChatMessage[] {
    const errorText = JSON.stringify({ ok: false, error });
    if (this.#mode === 'native' && toolCallId !== undefined) {
      // OpenAI protocol: the assistant turn with its call, then the result for that call id.
      const call = reply.toolCalls.find((c) => c.id === toolCallId) ?? reply.toolCalls[0]!;
      return [
        { role: 'assistant', content: reply.content || null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: errorText },
      ];
    }
    return [
      { role: 'assistant', content: reply.content },
      { role: 'user', content: `Your call was rejected: ${errorText}\nSend one corrected call.` },
    ];
  }
}

/** Text before the JSON call in a text-mode reply: the model's reasoning. */
function textBeforeCall(content: string): string {
  const at = content.search(/```|\{/);
  return (at < 0 ? content : content.slice(0, at)).trim();
}

function closestCandidate(request: DecisionRequest, call: ToolCall | undefined): number {
  const scores = request.candidates.map((c) => {
    if (!call || c.call.tool !== call.tool) return 0;
    const args = (call.args ?? {}) as Record<string, unknown>;
    const want = (c.call.args ?? {}) as Record<string, unknown>;
    let same = 1;
    for (const [k, v] of Object.entries(want)) if (canonical(args[k]) === canonical(v)) same++;
    return same;
  });
  const best = Math.max(...scores);
  const tied = scores.flatMap((s, i) => (s === best ? [i] : []));
  return tied[Math.min(tied.length - 1, Math.floor(request.uniform * tied.length))]!;
}
