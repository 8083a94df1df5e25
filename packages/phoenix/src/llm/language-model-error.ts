/**
 * Program errors of the language-model backends: the server cannot be reached, does not answer in
 * time, cannot call tools, serves another base model, or does not know an adapter. A model's bad
 * tool call is never one of these: it goes back to the model as data for a correction.
 */
import { PhoenixError } from '../errors';

const marker = Symbol.for('chimera.error.LanguageModelError');

export type LanguageModelErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'http-error'
  | 'no-tool-calling'
  | 'unknown-adapter'
  | 'wrong-base-model'
  | 'bad-response'
  | 'no-valid-call'
  /** An optional peer dependency (node-llama-cpp) is not installed. */
  | 'missing-dependency'
  /** A local model file is missing, unreadable or not a GGUF model. */
  | 'model-file';

export class LanguageModelError extends PhoenixError {
  readonly [marker] = true;

  constructor(
    readonly code: LanguageModelErrorCode,
    message: string,
    options?: { cause?: unknown; url?: string; status?: number },
  ) {
    super(message, options);
    this.name = 'LanguageModelError';
    this.url = options?.url;
    this.status = options?.status;
  }

  /** The URL that was called, when the error came from a request. */
  readonly url: string | undefined;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;

  static override isInstance(error: unknown): error is LanguageModelError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
