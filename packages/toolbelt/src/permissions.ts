/**
 * Who may run what: a per-tool policy (allow, deny, or ask a callback), rate limits, and guards
 * (environment-level checks such as the web adapter's origin allowlist). Checked by the TAL after
 * the arguments are valid and before the handler runs; a refusal is a structured result, not a throw.
 */
import type { AnyTool } from './define-tool';
import type { ToolErrorInfo } from './types';

export type PermissionDecision = 'allow' | 'deny' | 'ask';

export interface PermissionRequest {
  tool: AnyTool;
  /** The validated arguments. */
  args: unknown;
  callId?: string;
  metadata?: Record<string, unknown>;
}

export type AskAnswer = boolean | { allow: boolean; reason?: string };

export interface RateLimit {
  /** At most this many calls... */
  maxCalls: number;
  /** ...in any window of this many milliseconds. */
  perMs: number;
}

export interface PermissionOptions {
  /** Decision for tools no other rule matches (default `allow`). */
  default?: PermissionDecision;
  /** Per-tool decisions by name; these win over tag rules. */
  tools?: Record<string, PermissionDecision>;
  /** Decisions by environment tag; when several tags match, the strictest (deny > ask > allow) wins. */
  tags?: Record<string, PermissionDecision>;
  /** Asked for `ask` decisions (a UI prompt, a supervising policy). Without it, `ask` means deny. */
  ask?: (request: PermissionRequest) => AskAnswer | Promise<AskAnswer>;
  /** Per-tool rate limits by name; `'*'` limits all calls together. */
  rateLimits?: Record<string, RateLimit>;
}

/** What a guard returns: nothing (or `{ allow: true }`) to let the call through, or a refusal. */
export type GuardVerdict =
  | undefined
  | { allow: true }
  | {
      allow: false;
      reason: string;
      /** Defaults to `permission_denied`. */
      code?: 'permission_denied' | 'environment_error';
      details?: Record<string, unknown>;
    };

/** An environment-level check on (tool, args), e.g. "navigation only to allowed origins". */
export interface ToolGuard {
  readonly name: string;
  /** Which tools it inspects; every tool when omitted. */
  appliesTo?(tool: AnyTool): boolean;
  check(request: PermissionRequest): GuardVerdict | Promise<GuardVerdict>;
}

const strictness: Record<PermissionDecision, number> = { allow: 0, ask: 1, deny: 2 };

/** The policy, the ask callback and the rate-limit windows of one TAL. */
export class PermissionGate {
  readonly #options: PermissionOptions;
  readonly #windows = new Map<string, number[]>();

  constructor(options: PermissionOptions = {}) {
    this.#options = options;
  }

  decisionFor(tool: AnyTool): PermissionDecision {
    const byName = this.#options.tools;
    if (byName !== undefined && Object.hasOwn(byName, tool.name)) return byName[tool.name]!;
    let decision: PermissionDecision | undefined;
    const byTag = this.#options.tags;
    if (byTag !== undefined) {
      for (const tag of tool.environmentTags) {
        const rule = Object.hasOwn(byTag, tag) ? byTag[tag] : undefined;
        if (rule !== undefined && (decision === undefined || strictness[rule] > strictness[decision]))
          decision = rule;
      }
    }
    return decision ?? this.#options.default ?? 'allow';
  }

  /** Undefined when the call may run; otherwise the error to return. */
  async check(request: PermissionRequest): Promise<ToolErrorInfo | undefined> {
    const decision = this.decisionFor(request.tool);
    const name = request.tool.name;
    if (decision === 'deny') {
      return {
        code: 'permission_denied',
        message: `Calling "${name}" is not permitted here. Use another tool.`,
      };
    }
    if (decision === 'ask') {
      const ask = this.#options.ask;
      if (ask === undefined) {
        return {
          code: 'permission_denied',
          message: `"${name}" needs approval and no one can approve it here. Use another tool.`,
        };
      }
      const answer = await ask(request);
      const allowed = typeof answer === 'boolean' ? answer : answer.allow;
      if (!allowed) {
        const reason = typeof answer === 'object' && answer.reason ? ` (${answer.reason})` : '';
        return { code: 'permission_denied', message: `Calling "${name}" was refused${reason}.` };
      }
    }
    return this.#takeRateSlot(name);
  }

  #takeRateSlot(name: string): ToolErrorInfo | undefined {
    const limits = this.#options.rateLimits;
    if (limits === undefined) return undefined;
    const now = Date.now();
    const keys = [name, '*'].filter((k) => Object.hasOwn(limits, k));
    // Check every window before recording in any, so a refused call consumes nothing.
    for (const key of keys) {
      const limit = limits[key]!;
      const window = this.#prune(key, now - limit.perMs);
      if (window.length >= limit.maxCalls) {
        // An empty window with maxCalls 0 means "never": say "one window" rather than NaN.
        const retryAfterMs = Math.max(0, (window[0] ?? now) + limit.perMs - now);
        return {
          code: 'rate_limited',
          message: `Too many calls to ${key === '*' ? 'tools' : `"${name}"`}: at most ${limit.maxCalls} per ${limit.perMs} ms. Retry in ${retryAfterMs} ms or do something else.`,
          details: { retryAfterMs, maxCalls: limit.maxCalls, perMs: limit.perMs },
        };
      }
    }
    for (const key of keys) this.#windows.get(key)!.push(now);
    return undefined;
  }

  #prune(key: string, since: number): number[] {
    let window = this.#windows.get(key);
    if (window === undefined) {
      window = [];
      this.#windows.set(key, window);
    }
    let drop = 0;
    while (drop < window.length && window[drop]! <= since) drop++;
    if (drop > 0) window.splice(0, drop);
    return window;
  }
}

/** Runs the guards that apply to `request.tool`; the first refusal wins. */
export async function runGuards(
  guards: readonly ToolGuard[],
  request: PermissionRequest,
): Promise<ToolErrorInfo | undefined> {
  for (const guard of guards) {
    if (guard.appliesTo !== undefined && !guard.appliesTo(request.tool)) continue;
    const verdict = await guard.check(request);
    if (verdict === undefined || verdict.allow) continue;
    const info: ToolErrorInfo = { code: verdict.code ?? 'permission_denied', message: verdict.reason };
    info.details = { guard: guard.name, ...verdict.details };
    return info;
  }
  return undefined;
}
