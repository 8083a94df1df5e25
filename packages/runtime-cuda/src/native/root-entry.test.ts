/**
 * The addon is optional and heavy: only the `@chimera/runtime-cuda/native` subpath may reach it.
 * Walks the static import graph of the root entry and checks no module under src/native is in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  return null;
}

function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const target = resolveImport(file, m[1]!);
      if (target) stack.push(target);
    }
  }
  return seen;
}

describe('root entry', () => {
  it('never imports the native addon loader', () => {
    const graph = [...importGraph(join(src, 'index.ts'))].map((f) => f.slice(src.length + 1));
    expect(graph).toContain('quzo/quzo-optimizer.ts');
    expect(graph).toContain('kernels/typescript-kernels.ts');
    expect(graph.filter((f) => f.startsWith('native/'))).toEqual([]);
  });
});
