/**
 * Fits a structured observation into a token budget without breaking its structure: long strings are
 * cut, long arrays keep their first items plus a `"…+N more"` marker, and low-priority fields go
 * first. The result is always valid compact JSON (unless even the bare skeleton cannot fit, which is
 * reported).
 *
 * Shrinking is driven by one scale factor in [0, 1] found by binary search: at scale s, a field of
 * priority p keeps strings up to s·p·(longest string) characters and arrays up to s·p·(longest array)
 * items. Priority 0 fields are dropped as soon as anything must shrink.
 */
import { type CompactJsonOptions, compactJson } from './compact-json';
import { truncateToTokens, withinTokenLimit } from './count-tokens';

export interface BudgetOptions {
  maxTokens: number;
  /**
   * Weights by field path (object keys joined by `.`, array levels skipped: `elements.name`). Paths
   * inherit their parent's weight; the default is 1. Higher weights shrink later; 0 drops first.
   */
  priorities?: Record<string, number>;
  /** Shortest a cut string becomes, in characters (default 24). */
  minStringChars?: number;
  json?: CompactJsonOptions;
}

export interface BudgetedObservation {
  /** Compact JSON within the budget. */
  text: string;
  tokens: number;
  /** True when anything was cut or dropped. */
  truncated: boolean;
  /** Paths that were cut (`path[kept/total]`, `path…`) or dropped (`-path`). */
  omitted: string[];
}

export function fitToBudget(value: unknown, options: BudgetOptions): BudgetedObservation {
  const { maxTokens } = options;
  const full = compactJson(value, options.json);
  const fullTokens = withinTokenLimit(full, maxTokens);
  if (fullTokens !== false) return { text: full, tokens: fullTokens, truncated: false, omitted: [] };

  const priorities = options.priorities ?? {};
  const extent = measure(value, 0);
  const shrinker = new Shrinker(priorities, extent, options.minStringChars ?? 24);
  const attempt = (scale: number, dropped: ReadonlySet<string>) => {
    const notes: string[] = [];
    const shrunk = shrinker.shrink(value, '', 1, scale, dropped, notes, 0);
    const text = compactJson(shrunk, options.json);
    return { text, notes, tokens: withinTokenLimit(text, maxTokens) };
  };

  // Fields to drop, lowest priority first; priority-0 fields are dropped from the start.
  const candidates = droppable(value, priorities);
  const dropped = new Set(candidates.filter((c) => c.weight <= 0).map((c) => c.path));
  for (let next = dropped.size; ; next++) {
    let best = attempt(0, dropped);
    if (best.tokens !== false) {
      let low = 0;
      let high = 1;
      for (let i = 0; i < 14 && high - low > 1e-3; i++) {
        const mid = (low + high) / 2;
        const tried = attempt(mid, dropped);
        if (tried.tokens !== false) {
          low = mid;
          best = tried;
        } else high = mid;
      }
      // A dropped parent says it all: leave out its dropped children.
      const shown = [...dropped].filter((p) => ![...dropped].some((q) => p.startsWith(`${q}.`)));
      const omitted = [...new Set(best.notes), ...shown.map((p) => `-${p}`)];
      return { text: best.text, tokens: best.tokens as number, truncated: true, omitted };
    }
    const candidate = candidates[next];
    if (candidate === undefined) break;
    dropped.add(candidate.path);
  }
  // Not even the smallest skeleton fits: cut the text itself (structure is lost, and said so).
  const text = truncateToTokens(full, maxTokens);
  return {
    text,
    tokens: withinTokenLimit(text, maxTokens + 1) || maxTokens,
    truncated: true,
    omitted: ['*structure'],
  };
}

interface Extent {
  longestString: number;
  longestArray: number;
}

function measure(
  value: unknown,
  depth: number,
  extent: Extent = { longestString: 0, longestArray: 0 },
): Extent {
  if (typeof value === 'string') extent.longestString = Math.max(extent.longestString, value.length);
  else if (depth < 32 && typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) {
      extent.longestArray = Math.max(extent.longestArray, value.length);
      for (const item of value) measure(item, depth + 1, extent);
    } else
      for (const key of Object.keys(value))
        measure((value as Record<string, unknown>)[key], depth + 1, extent);
  }
  return extent;
}

/** Object-field paths (top two levels) ordered by ascending priority: the order they may be dropped in. */
function droppable(value: unknown, priorities: Record<string, number>): { path: string; weight: number }[] {
  const out: { path: string; weight: number }[] = [];
  const visit = (node: unknown, prefix: string, inherited: number, depth: number) => {
    if (depth > 1 || typeof node !== 'object' || node === null || Array.isArray(node)) return;
    for (const key of Object.keys(node)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const weight = priorities[path] ?? inherited;
      out.push({ path, weight });
      visit((node as Record<string, unknown>)[key], path, weight, depth + 1);
    }
  };
  visit(value, '', 1, 0);
  // Deeper paths first among equals, so a whole section goes only after its parts.
  return out.sort((a, b) => a.weight - b.weight || b.path.split('.').length - a.path.split('.').length);
}

class Shrinker {
  constructor(
    private readonly priorities: Record<string, number>,
    private readonly extent: Extent,
    private readonly minStringChars: number,
  ) {}

  shrink(
    value: unknown,
    path: string,
    weight: number,
    scale: number,
    dropped: ReadonlySet<string>,
    notes: string[],
    depth: number,
  ): unknown {
    const factor = Math.min(1, scale * weight);
    if (typeof value === 'string') {
      const cap = Math.max(this.minStringChars, Math.floor(this.extent.longestString * factor));
      if (value.length <= cap) return value;
      notes.push(`${path || '$'}…`);
      return `${value.slice(0, cap)}…`;
    }
    if (typeof value !== 'object' || value === null || depth >= 32) return value;
    if (Array.isArray(value)) {
      const cap = Math.max(1, Math.floor(this.extent.longestArray * factor));
      const kept = value
        .slice(0, cap)
        .map((item) => this.shrink(item, path, weight, scale, dropped, notes, depth + 1));
      if (value.length > cap) {
        notes.push(`${path || '$'}[${cap}/${value.length}]`);
        kept.push(`…+${value.length - cap} more`);
      }
      return kept;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const child = path === '' ? key : `${path}.${key}`;
      if (dropped.has(child)) continue;
      const childWeight = this.priorities[child] ?? weight;
      // Define rather than assign, so a `__proto__` key stays a plain field.
      Object.defineProperty(out, key, {
        value: this.shrink(
          (value as Record<string, unknown>)[key],
          child,
          childWeight,
          scale,
          dropped,
          notes,
          depth + 1,
        ),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}
