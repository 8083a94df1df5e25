/**
 * Short ids (`e12`) for things the agent refers to again and again (a button, a mob, an item), so a
 * model writes `click e12` instead of repeating a long description.
 *
 * Ids are scoped (one scope per browser tab, per world...) and versioned: `newVersion(scope)` marks
 * every id of that scope stale, e.g. after navigation or a re-render. Ids are unique across all
 * scopes and never reused, so an id from an older view, or from another tab, is reported as such
 * instead of silently hitting a different element (Playwright's own refs restart at e1 per tab).
 */
import { StaleEntityError } from '../errors/stale-entity-error';

export interface EntityRegistryOptions {
  /** Id prefix (default `e`). */
  prefix?: string;
  /** Retired ids remembered for precise stale-id messages (default 50,000); older ones read as unknown. */
  retiredLimit?: number;
}

export type EntityResolution =
  | { ok: true; value: unknown; key: string }
  | { ok: false; error: StaleEntityError };

interface ScopeState {
  version: number;
  /** key -> id for the current version. */
  ids: Map<string, string>;
  /** id -> entry for the current version. */
  entries: Map<string, { key: string; value: unknown }>;
}

interface RetiredId {
  scope: string;
  version: number;
  key: string;
}

export class EntityRegistry {
  readonly #prefix: string;
  readonly #retiredLimit: number;
  readonly #scopes = new Map<string, ScopeState>();
  // Invariant: every id ever issued and no longer current is here (up to retiredLimit, oldest dropped first).
  readonly #retired = new Map<string, RetiredId>();
  // Invariant: the owning scope of every current id (ids are unique across scopes).
  readonly #owner = new Map<string, string>();
  #next = 1;

  constructor(options: EntityRegistryOptions = {}) {
    this.#prefix = options.prefix ?? 'e';
    this.#retiredLimit = options.retiredLimit ?? 50_000;
  }

  /** The id of `key` in the scope's current version, issuing one if needed; `value` is stored (or updated). */
  assign(scope: string, key: string, value?: unknown): string {
    const state = this.#scope(scope);
    const existing = state.ids.get(key);
    if (existing !== undefined) {
      if (value !== undefined) state.entries.get(existing)!.value = value;
      return existing;
    }
    const id = `${this.#prefix}${this.#next++}`;
    state.ids.set(key, id);
    state.entries.set(id, { key, value });
    this.#owner.set(id, scope);
    return id;
  }

  /** The value behind `id`; throws StaleEntityError when the id is stale, from another scope, or unknown. */
  resolve(scope: string, id: string): unknown {
    const resolution = this.tryResolve(scope, id);
    if (!resolution.ok) throw resolution.error;
    return resolution.value;
  }

  /** Like resolve, but returns the error instead of throwing. */
  tryResolve(scope: string, id: string): EntityResolution {
    const entry = this.#scopes.get(scope)?.entries.get(id);
    if (entry !== undefined) return { ok: true, value: entry.value, key: entry.key };
    return { ok: false, error: this.#explain(scope, String(id)) };
  }

  /** The key an id was issued for, if it is current in the scope. */
  keyOf(scope: string, id: string): string | undefined {
    return this.#scopes.get(scope)?.entries.get(id)?.key;
  }

  /** Current version of a scope (0 before anything happened in it). */
  version(scope: string): number {
    return this.#scopes.get(scope)?.version ?? 0;
  }

  /** Number of current ids in a scope. */
  size(scope: string): number {
    return this.#scopes.get(scope)?.entries.size ?? 0;
  }

  /** Retires every id of the scope (the view changed); returns the new version number. */
  newVersion(scope: string): number {
    const state = this.#scope(scope);
    this.#retire(scope, state);
    state.version++;
    return state.version;
  }

  /**
   * Forgets every scope and every id, and numbers from 1 again. For a registry that one agent owns,
   * between episodes: an episode's ids then depend only on what that episode saw, not on how many
   * things earlier episodes happened to see. Ids issued before may be issued again for other
   * things, so call it only where nothing still holds them (a new episode starts a new context).
   */
  restart(): void {
    this.#scopes.clear();
    this.#retired.clear();
    this.#owner.clear();
    this.#next = 1;
  }

  /** Forgets the scope (a tab closed); its ids read as stale afterwards. */
  clear(scope: string): void {
    const state = this.#scopes.get(scope);
    if (state === undefined) return;
    this.#retire(scope, state);
    this.#scopes.delete(scope);
  }

  #scope(scope: string): ScopeState {
    let state = this.#scopes.get(scope);
    if (state === undefined) {
      state = { version: 1, ids: new Map(), entries: new Map() };
      this.#scopes.set(scope, state);
    }
    return state;
  }

  #retire(scope: string, state: ScopeState): void {
    for (const [id, entry] of state.entries) {
      this.#owner.delete(id);
      this.#retired.set(id, { scope, version: state.version, key: entry.key });
    }
    state.ids.clear();
    state.entries.clear();
    // Maps iterate in insertion order, so the first keys are the oldest retirements.
    for (const id of this.#retired.keys()) {
      if (this.#retired.size <= this.#retiredLimit) break;
      this.#retired.delete(id);
    }
  }

  #explain(scope: string, id: string): StaleEntityError {
    const owner = this.#owner.get(id);
    if (owner !== undefined) {
      return new StaleEntityError(
        id,
        scope,
        'other_scope',
        `${id} belongs to ${owner}, not ${scope}. Use an id from the latest observation of ${scope}.`,
        { owner },
      );
    }
    const retired = this.#retired.get(id);
    if (retired !== undefined) {
      const where = retired.scope === scope ? scope : `${retired.scope} (not ${scope})`;
      return new StaleEntityError(
        id,
        scope,
        'stale',
        `${id} is stale: it came from an earlier view of ${where} that has since changed. Observe again and use the new ids.`,
        { issuedInVersion: retired.version, currentVersion: this.version(scope) },
      );
    }
    return new StaleEntityError(
      id,
      scope,
      'unknown',
      `${id.length > 32 ? `${id.slice(0, 32)}…` : id} is not an id from any observation. Use an id shown in the latest observation.`,
    );
  }
}
