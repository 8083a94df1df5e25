/**
 * The root entry must stay light: nothing reachable from src/index.ts may import `pg` (an
 * optional peer that only `@chimera/ues/postgres` needs).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
    seen.set(file, specifiers);
    for (const s of specifiers)
      if (s.startsWith('.')) visit(resolve(dirname(file), `${s.replace(/\.js$/, '')}.ts`));
  };
  visit(entry);
  return seen;
}

describe('root entry', () => {
  it('never loads pg', () => {
    const graph = reachable(join(__dirname, 'index.ts'));
    expect(graph.size).toBeGreaterThan(10);
    const external = new Set([...graph.values()].flat().filter((s) => !s.startsWith('.')));
    expect([...external].some((s) => s === 'pg' || s.startsWith('pg/'))).toBe(false);
    expect(external.has('better-sqlite3')).toBe(true);
  });

  it('the postgres subpath does load pg', () => {
    const graph = reachable(join(__dirname, 'stores', 'postgres', 'index.ts'));
    expect([...graph.values()].flat()).toContain('pg');
  });
});
