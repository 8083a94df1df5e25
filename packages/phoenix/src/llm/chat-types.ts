/**
 * The chat shapes a language-model policy speaks: OpenAI chat-completions messages (what llama.cpp
 * server, vLLM, Ollama and LM Studio accept) and a backend interface small enough for an in-process
 * model to implement too.
 */
import type { OpenAIFunctionTool } from '@chimera/toolbelt';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatRequest {
  messages: ChatMessage[];
  /** Function tools for servers with native tool calling; omitted in text mode. */
  tools?: OpenAIFunctionTool[];
  /** The active Self: a backend maps it to a LoRA adapter (or to nothing, for the base model). */
  self?: string;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface ChatReply {
  /** Text content of the reply (reasoning tags removed). */
  content: string;
  toolCalls: ChatToolCall[];
  /** The model's reasoning: a server's `reasoning_content` / `reasoning`, or `<think>` blocks. */
  reasoning?: string;
  finishReason?: string;
  /** What served the request (the base model or the adapter's name). */
  model: string;
}

export interface ChatBackend {
  readonly name: string;
  /**
   * One chat completion. Throws LanguageModelError for program faults (unreachable, timeout, no
   * tool calling when `tools` were sent, unknown adapter); never for what the model said.
   */
  chat(request: ChatRequest): Promise<ChatReply>;
}
