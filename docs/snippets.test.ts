/**
 * Keeps documentation honest: every code block in docs/*.md and packages/*\/README.md that is
 * preceded by `<!-- snippet: path/to/file.ts#region-name -->` must equal, line for line, the
 * region `// #region region-name` ... `// #endregion` of that file, which is itself a tested file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

function markdownFiles(): string[] {
  const files = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f));
  for (const dir of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, dir))) {
      const readme = join(root, dir, name, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  files.push(join(root, 'README.md'));
  return files.filter((f) => existsSync(f));
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((l) => l.slice(min))
    .join('\n')
    .trim();
}

function region(file: string, name: string): string {
  const text = readFileSync(join(root, file), 'utf8').split('\n');
  const start = text.findIndex((l) => l.trim() === `// #region ${name}`);
  if (start < 0) throw new Error(`${file}: no "// #region ${name}"`);
  const end = text.findIndex((l, i) => i > start && l.trim() === '// #endregion');
  if (end < 0) throw new Error(`${file}: region ${name} has no "// #endregion"`);
  return dedent(text.slice(start + 1, end));
}

const snippets: { md: string; file: string; name: string; code: string }[] = [];
for (const md of markdownFiles()) {
  const lines = readFileSync(md, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const m = line.match(/<!--\s*snippet:\s*([^#\s]+)#([\w-]+)\s*-->/);
    if (!m) return;
    const open = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const close = lines.findIndex((l, j) => j > open && l.startsWith('```'));
    snippets.push({ md, file: m[1]!, name: m[2]!, code: dedent(lines.slice(open + 1, close)) });
  });
}

describe('documentation snippets match tested files', () => {
  it('finds snippets to check', () => {
    expect(snippets.length).toBeGreaterThan(0);
  });
  for (const s of snippets) {
    it(`${s.md.slice(root.length + 1)} <- ${s.file}#${s.name}`, () => {
      expect(s.code).toBe(region(s.file, s.name));
    });
  }
});
