/**
 * The set of tools an agent may call. Registering a tool again under the same name replaces it only
 * when asked to; each registration records a hash of the tool's schemas, and the revision number goes
 * up whenever the schemas change, so a stored experience can say which shape of a tool it used.
 */
import { createHash } from 'node:crypto';
import type { AnyTool } from './define-tool';
import { ToolDefinitionError } from './errors/tool-definition-error';

export interface ToolRevision {
  /** 1 for the first registration; +1 each time the tool's input or output schema changes. */
  revision: number;
  /** First 16 hex chars of the SHA-256 of the canonical input and output schemas. */
  schemaHash: string;
  registeredAt: Date;
}

export interface ToolRegistration extends ToolRevision {
  tool: AnyTool;
}

export interface ToolFilter {
  /** Keep tools carrying this environment tag (case-insensitive). */
  tag?: string;
  /** Keep tools carrying every one of these tags. */
  tags?: readonly string[];
  /** Keep only these names. */
  names?: readonly string[];
}

export type RegistryChange =
  | { type: 'registered'; name: string; registration: ToolRegistration }
  | { type: 'unregistered'; name: string };

export class ToolRegistry {
  // Invariant: `tools.get(n)` is `registrations.get(n).tool` (kept apart so dispatch's lookup is one Map.get).
  readonly #tools = new Map<string, AnyTool>();
  readonly #registrations = new Map<string, ToolRegistration>();
  readonly #history = new Map<string, ToolRevision[]>();
  readonly #listeners = new Set<(change: RegistryChange) => void>();

  constructor(tools: readonly AnyTool[] = []) {
    for (const tool of tools) this.register(tool);
  }

  /** Adds a tool. Throws if the name is taken, unless `replace` is set. */
  register(tool: AnyTool, options: { replace?: boolean } = {}): ToolRegistration {
    if (typeof tool?.validateInput !== 'function' || typeof tool.handler !== 'function') {
      throw new ToolDefinitionError(
        String(tool?.name),
        'register() takes a tool from defineTool() or defineJsonSchemaTool()',
      );
    }
    const previous = this.#registrations.get(tool.name);
    if (previous !== undefined && !options.replace) {
      throw new ToolDefinitionError(tool.name, 'is already registered; pass { replace: true } to replace it');
    }
    const schemaHash = hashSchemas(tool);
    const history = this.#history.get(tool.name) ?? [];
    const last = history[history.length - 1];
    const revision =
      last === undefined ? 1 : last.schemaHash === schemaHash ? last.revision : last.revision + 1;
    const registration: ToolRegistration = { tool, revision, schemaHash, registeredAt: new Date() };
    if (last === undefined || last.schemaHash !== schemaHash) {
      history.push({ revision, schemaHash, registeredAt: registration.registeredAt });
    }
    this.#history.set(tool.name, history);
    this.#tools.set(tool.name, tool);
    this.#registrations.set(tool.name, registration);
    this.#emit({ type: 'registered', name: tool.name, registration });
    return registration;
  }

  registerAll(tools: readonly AnyTool[], options: { replace?: boolean } = {}): void {
    for (const tool of tools) this.register(tool, options);
  }

  unregister(name: string): boolean {
    if (!this.#tools.delete(name)) return false;
    this.#registrations.delete(name);
    this.#emit({ type: 'unregistered', name });
    return true;
  }

  get(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  get size(): number {
    return this.#tools.size;
  }

  names(): string[] {
    return [...this.#tools.keys()];
  }

  list(filter: ToolFilter = {}): AnyTool[] {
    const wanted = [...(filter.tags ?? []), ...(filter.tag === undefined ? [] : [filter.tag])].map((t) =>
      t.toLowerCase(),
    );
    const names = filter.names === undefined ? undefined : new Set(filter.names);
    const out: AnyTool[] = [];
    for (const tool of this.#tools.values()) {
      if (names !== undefined && !names.has(tool.name)) continue;
      if (wanted.length > 0) {
        const tags = tool.environmentTags.map((t) => t.toLowerCase());
        if (!wanted.every((t) => tags.includes(t))) continue;
      }
      out.push(tool);
    }
    return out;
  }

  /** The current registration (tool, schema revision and hash). */
  registration(name: string): ToolRegistration | undefined {
    return this.#registrations.get(name);
  }

  /** Every schema revision this name has had, oldest first (kept after unregister). */
  history(name: string): ToolRevision[] {
    return [...(this.#history.get(name) ?? [])];
  }

  /** Called after every register/unregister (e.g. an MCP server sends `tools/list_changed`). */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: RegistryChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

function hashSchemas(tool: AnyTool): string {
  const canonical = canonicalJson({ input: tool.inputSchema, output: tool.outputSchema ?? null });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal schemas hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
