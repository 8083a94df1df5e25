/**
 * @chimera/phoenix/llm: language-model policies. `LanguageModelPolicy` drives any chat backend with
 * the toolbelt's tools and the active Self's persona; `OpenAICompatibleBackend` talks to llama.cpp
 * server, vLLM, Ollama or LM Studio, with Selves routed to LoRA adapters on the server;
 * `NodeLlamaCppBackend` runs a GGUF model in process (node-llama-cpp, an optional peer dependency
 * imported on first use) with a context per Self's GGUF LoRA and grammar-constrained tool calls.
 */
export type { ChatBackend, ChatMessage, ChatReply, ChatRequest, ChatToolCall } from './chat-types';
export { LanguageModelError, type LanguageModelErrorCode } from './language-model-error';
export {
  type DecisionAttempt,
  type DecisionTranscript,
  LanguageModelPolicy,
  type LanguageModelPolicyOptions,
} from './language-model-policy';
export {
  LanguageModelReflector,
  type LanguageModelReflectorOptions,
  reflectionMessages,
} from './language-model-reflector';
export { type LlamaChatServer, type LlamaChatServerOptions, startLlamaChatServer } from './llama-chat-server';
export {
  checkAdapterBaseModel,
  loadVllmLoraAdapter,
  type ServedModel,
  sameBaseModel,
  servedModels,
  unloadVllmLoraAdapter,
} from './lora-adapters';
export {
  type AdapterScale,
  type LocalAdapter,
  NodeLlamaCppBackend,
  type NodeLlamaCppBackendOptions,
  toolsPrompt,
} from './node-llama-cpp-backend';
export {
  type LoraRouting,
  OpenAICompatibleBackend,
  type OpenAICompatibleBackendOptions,
  parseReply,
} from './openai-compatible-backend';
export { integerRangeToGbnf, jsonStringToGbnf, patternToGbnf } from './regex-gbnf';
export { type Persona, personaText, rosterPersona, systemPrompt } from './system-prompt';
export {
  TINY_LLAMA,
  type TinyLlamaShape,
  tinyLlamaGguf,
  tinyLlamaLora,
  writeTinyLlama,
  writeTinyLlamaLora,
} from './tiny-llama';
export {
  type GrammarSchema,
  substitutePlaceholders,
  type ToolCallGrammar,
  type ToolCallGrammarOptions,
  toolCallGrammar,
} from './tool-call-grammar';
