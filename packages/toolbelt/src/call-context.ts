/**
 * The ToolContext a handler receives. Its AbortSignal is created only when the handler reads it:
 * most handlers never do, and an AbortController per call would cost more than the rest of a
 * dispatch.
 */
import type { ToolContext } from './define-tool';

export class CallContext implements ToolContext {
  readonly tool: string;
  readonly callId?: string;
  readonly metadata?: Record<string, unknown>;
  #controller: AbortController | undefined;
  #outer: AbortSignal | undefined;
  #onOuterAbort: (() => void) | undefined;

  constructor(tool: string, callId?: string, metadata?: Record<string, unknown>, outer?: AbortSignal) {
    this.tool = tool;
    if (callId !== undefined) this.callId = callId;
    if (metadata !== undefined) this.metadata = metadata;
    this.#outer = outer;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const outer = this.#outer;
      if (outer !== undefined) {
        if (outer.aborted) controller.abort(outer.reason);
        else {
          this.#onOuterAbort = () => controller.abort(outer.reason);
          outer.addEventListener('abort', this.#onOuterAbort, { once: true });
        }
      }
    }
    return this.#controller.signal;
  }

  /** Aborts the handler's signal (if it was ever read). */
  abort(reason: unknown): void {
    this.#controller?.abort(reason);
  }

  /** Detaches from the caller's signal, so a long-lived signal does not collect one listener per call. */
  dispose(): void {
    if (this.#onOuterAbort !== undefined) this.#outer?.removeEventListener('abort', this.#onOuterAbort);
    this.#onOuterAbort = undefined;
  }
}
