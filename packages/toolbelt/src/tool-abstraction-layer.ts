/**
 * The Tool Abstraction Layer: the single door through which the agent acts. `dispatch` reads as four
 * steps (look up, validate input, execute, validate output) and never throws: every outcome, from
 * unparseable model text to a handler that hangs, is a DispatchResult.
 *
 * The hot path (a valid call, a sync handler, no gates or middleware) allocates only the context and
 * the result, builds no error detail, and resolves a ready promise instead of going through `async`.
 */
import { CallContext } from './call-context';
import { parseToolCall } from './call-parsing';
import type { AnyTool } from './define-tool';
import type { AfterDispatchEvent, DispatchMiddleware } from './middleware';
import { PermissionGate, type PermissionOptions, runGuards, type ToolGuard } from './permissions';
import {
  cancelledError,
  invalidArgumentsError,
  invalidOutputError,
  safeMessage,
  thrownError,
  timeoutError,
  unknownToolError,
} from './tool-errors';
import type { ToolRegistry } from './tool-registry';
import type { DispatchResult, ToolCall, ToolErrorInfo } from './types';

export interface ToolAbstractionLayerOptions {
  registry: ToolRegistry;
  /** Per-tool policy, ask callback and rate limits (a ready PermissionGate may be shared). */
  permissions?: PermissionOptions | PermissionGate;
  /** Environment-level checks on (tool, args), run before the permission policy. */
  guards?: readonly ToolGuard[];
  middleware?: readonly DispatchMiddleware[];
  /** Timeout for tools that set none (default 30,000 ms; 0 or Infinity disables it). */
  defaultTimeoutMs?: number;
  /** Longest model text `dispatch` will parse (default 1,000,000 characters). */
  maxCallChars?: number;
  /** Told when an `after` middleware throws (its result is then kept unchanged). Default: a process warning. */
  onMiddlewareError?: (error: unknown, middleware: DispatchMiddleware) => void;
}

export interface DispatchOptions {
  /** Passed to the handler and middleware untouched (episode, agent, tab...). */
  metadata?: Record<string, unknown>;
  /** Cancels the call; the handler's `ctx.signal` follows it. */
  signal?: AbortSignal;
}

type Settled = { value: unknown; error?: undefined } | { error: unknown } | { timedOut: true };

export class ToolAbstractionLayer {
  readonly registry: ToolRegistry;
  readonly #gate: PermissionGate | undefined;
  readonly #guards: readonly ToolGuard[];
  readonly #middleware: DispatchMiddleware[];
  readonly #defaultTimeoutMs: number;
  readonly #maxCallChars: number;
  readonly #onMiddlewareError: (error: unknown, middleware: DispatchMiddleware) => void;
  // Recomputed on use(): whether a valid call must take the async gated path.
  #gated = false;
  #hasAfter = false;

  constructor(options: ToolAbstractionLayerOptions) {
    this.registry = options.registry;
    const permissions = options.permissions;
    // Duck-typed: a gate made by another copy of this package (a subpath bundle) is still a gate.
    this.#gate =
      permissions === undefined
        ? undefined
        : typeof (permissions as PermissionGate).check === 'function'
          ? (permissions as PermissionGate)
          : new PermissionGate(permissions as PermissionOptions);
    this.#guards = [...(options.guards ?? [])];
    this.#middleware = [];
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.#maxCallChars = options.maxCallChars ?? 1_000_000;
    this.#onMiddlewareError =
      options.onMiddlewareError ??
      ((error, middleware) =>
        process.emitWarning(`middleware "${middleware.name}" failed in after(): ${safeMessage(error)}`));
    for (const middleware of options.middleware ?? []) this.use(middleware);
    this.#refreshFlags();
  }

  /** Adds a middleware (runs after those already added in `before`, before them in `after`). */
  use(middleware: DispatchMiddleware): this {
    this.#middleware.push(middleware);
    this.#refreshFlags();
    return this;
  }

  /**
   * Runs one tool call, given as an object or as model text (JSON, possibly fenced or with prose).
   * Resolves to a success or a structured error; never rejects.
   */
  dispatch(input: ToolCall | string, options?: DispatchOptions): Promise<DispatchResult> {
    const startedAt = performance.now();
    let call: ToolCall | undefined;
    let tool: AnyTool | undefined;
    try {
      call = this.#normalize(input);
      if (call === undefined) {
        const parsed = parseToolCall(input, { maxChars: this.#maxCallChars });
        if (!parsed.ok)
          return this.#finish(
            failure('', parsed.error, startedAt, undefined),
            input,
            undefined,
            undefined,
            options,
          );
        call = parsed.call;
      }

      // 1. Look up.
      tool = this.registry.get(call.tool);
      if (tool === undefined) {
        const error = unknownToolError(call.tool, this.registry.names());
        return this.#finish(failure(call.tool, error, startedAt, call.id), input, call, undefined, options);
      }

      // 2. Validate input.
      const checked = tool.validateInput(call.args);
      if (!checked.success) {
        const error = invalidArgumentsError(tool, checked.issues());
        return this.#finish(failure(tool.name, error, startedAt, call.id), input, call, tool, options);
      }

      if (this.#gated || options?.signal !== undefined) {
        return this.#gatedExecute(tool, call, checked.data, input, options, startedAt);
      }
      // 3 and 4. Execute, validate output.
      return this.#execute(tool, call, checked.data, input, options, startedAt);
    } catch (error) {
      // A hostile call object (throwing getter, trapping proxy) or a fault in the TAL itself.
      if (tool === undefined) {
        const unreadable: ToolErrorInfo = {
          code: 'parse_error',
          message: `The tool call could not be read (${safeMessage(error)}). Send plain JSON: {"tool": "<name>", "args": {...}}.`,
        };
        return this.#finish(
          failure('', unreadable, startedAt, undefined),
          input,
          undefined,
          undefined,
          options,
        );
      }
      // Past the lookup, only validation can throw here (execution catches its own errors): the
      // arguments themselves are unreadable (a trapping proxy, a throwing getter).
      const unreadableArgs: ToolErrorInfo = {
        code: 'invalid_arguments',
        message: `The arguments for "${tool.name}" could not be read (${safeMessage(error)}). Send plain JSON arguments.`,
      };
      return this.#finish(
        failure(tool.name, unreadableArgs, startedAt, call?.id),
        input,
        call,
        tool,
        options,
      );
    }
  }

  /** The call itself when `input` already is a well-formed call object; undefined when it needs parsing. */
  #normalize(input: unknown): ToolCall | undefined {
    if (typeof input !== 'object' || input === null) return undefined;
    const call = input as ToolCall;
    if (typeof call.tool !== 'string' || typeof call.args !== 'object' || call.args === null)
      return undefined;
    if (call.id !== undefined && typeof call.id !== 'string') return undefined;
    return call;
  }

  #execute(
    tool: AnyTool,
    call: ToolCall,
    args: unknown,
    input: unknown,
    options: DispatchOptions | undefined,
    startedAt: number,
  ): Promise<DispatchResult> {
    const context = new CallContext(tool.name, call.id, options?.metadata, options?.signal);
    let returned: unknown;
    try {
      returned = tool.handler(args, context);
    } catch (error) {
      context.dispose();
      return this.#finish(
        failure(tool.name, thrownError(tool.name, error), startedAt, call.id),
        input,
        call,
        tool,
        options,
      );
    }
    if (isThenable(returned)) return this.#settle(tool, call, returned, context, input, options, startedAt);
    context.dispose();
    return this.#finish(this.#checkOutput(tool, call, returned, startedAt), input, call, tool, options);
  }

  // 4. Validate output.
  #checkOutput(tool: AnyTool, call: ToolCall, value: unknown, startedAt: number): DispatchResult {
    const validate = tool.validateOutput;
    if (validate === undefined) return success(tool.name, value, startedAt, call.id);
    const checked = validate(value);
    if (checked.success) return success(tool.name, checked.data, startedAt, call.id);
    return failure(tool.name, invalidOutputError(tool, checked.issues()), startedAt, call.id);
  }

  /** Waits for an async handler, racing it against the tool's timeout and the caller's signal. */
  async #settle(
    tool: AnyTool,
    call: ToolCall,
    pending: PromiseLike<unknown>,
    context: CallContext,
    input: unknown,
    options: DispatchOptions | undefined,
    startedAt: number,
  ): Promise<DispatchResult> {
    const timeoutMs = tool.timeoutMs ?? this.#defaultTimeoutMs;
    const outer = options?.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const settled = await new Promise<Settled>((resolve) => {
      pending.then(
        (value) => resolve({ value }),
        (error: unknown) => resolve({ error }),
      );
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        const remaining = Math.max(0, timeoutMs - (performance.now() - startedAt));
        timer = setTimeout(() => resolve({ timedOut: true }), remaining);
        timer.unref?.();
      }
      if (outer !== undefined) {
        onAbort = () => resolve({ error: cancelled });
        if (outer.aborted) onAbort();
        else outer.addEventListener('abort', onAbort, { once: true });
      }
    });
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) outer?.removeEventListener('abort', onAbort);
    context.dispose();

    let result: DispatchResult;
    if ('timedOut' in settled) {
      context.abort(new DOMException(`"${tool.name}" timed out after ${timeoutMs} ms`, 'TimeoutError'));
      result = failure(tool.name, timeoutError(tool, timeoutMs), startedAt, call.id);
    } else if (settled.error === cancelled) {
      context.abort(outer?.reason);
      result = failure(tool.name, cancelledError(tool.name, outer?.reason), startedAt, call.id);
    } else if ('error' in settled && settled.error !== undefined) {
      result = failure(tool.name, thrownError(tool.name, settled.error), startedAt, call.id);
    } else if ('error' in settled) {
      // `throw undefined` / Promise.reject(): still a handler failure.
      result = failure(
        tool.name,
        thrownError(tool.name, 'the handler rejected with no reason'),
        startedAt,
        call.id,
      );
    } else {
      result = this.#checkOutput(tool, call, settled.value, startedAt);
    }
    return this.#finish(result, input, call, tool, options);
  }

  /** Guards, permission policy, rate limits and `before` middleware, then execution. */
  async #gatedExecute(
    tool: AnyTool,
    call: ToolCall,
    args: unknown,
    input: unknown,
    options: DispatchOptions | undefined,
    startedAt: number,
  ): Promise<DispatchResult> {
    const fail = (error: ToolErrorInfo) =>
      this.#finish(failure(tool.name, error, startedAt, call.id), input, call, tool, options);
    if (options?.signal?.aborted) return fail(cancelledError(tool.name, options.signal.reason));
    try {
      const request = { tool, args, callId: call.id, metadata: options?.metadata };
      const refusal =
        (this.#guards.length > 0 ? await runGuards(this.#guards, request) : undefined) ??
        (this.#gate === undefined ? undefined : await this.#gate.check(request));
      if (refusal !== undefined) return fail(refusal);
      for (const middleware of this.#middleware) {
        if (middleware.before === undefined) continue;
        const early = await middleware.before({ tool, call, args, metadata: options?.metadata });
        if (early !== undefined) return this.#finish(early, input, call, tool, options);
      }
    } catch (error) {
      return fail(thrownError(tool.name, error));
    }
    return this.#execute(tool, call, args, input, options, startedAt);
  }

  #finish(
    result: DispatchResult,
    input: unknown,
    call: ToolCall | undefined,
    tool: AnyTool | undefined,
    options: DispatchOptions | undefined,
  ): Promise<DispatchResult> {
    if (!this.#hasAfter) return Promise.resolve(result);
    return this.#runAfter({ call, tool, input, result, metadata: options?.metadata });
  }

  async #runAfter(event: AfterDispatchEvent): Promise<DispatchResult> {
    for (let i = this.#middleware.length - 1; i >= 0; i--) {
      const middleware = this.#middleware[i]!;
      if (middleware.after === undefined) continue;
      try {
        const replaced = await middleware.after(event);
        if (replaced !== undefined) event.result = replaced;
      } catch (error) {
        this.#onMiddlewareError(error, middleware);
      }
    }
    return event.result;
  }

  #refreshFlags(): void {
    this.#gated =
      this.#gate !== undefined ||
      this.#guards.length > 0 ||
      this.#middleware.some((m) => m.before !== undefined);
    this.#hasAfter = this.#middleware.some((m) => m.after !== undefined);
  }
}

const cancelled = Symbol('cancelled');

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function success(
  tool: string,
  value: unknown,
  startedAt: number,
  callId: string | undefined,
): DispatchResult {
  return { ok: true, tool, value, durationMs: performance.now() - startedAt, callId };
}

function failure(
  tool: string,
  error: ToolErrorInfo,
  startedAt: number,
  callId: string | undefined,
): DispatchResult {
  return { ok: false, tool, error, durationMs: performance.now() - startedAt, callId };
}
