/**
 * The root entry must stay light: importing `@chimera/toolbelt` must not load Playwright,
 * mineflayer or the MCP SDK (those live behind subpath exports). Checked two ways: statically, by
 * walking the import graph of the sources, and at run time, by importing the entry in a fresh
 * process and listing every module it loaded. A positive control proves the check can see them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const heavy = /@modelcontextprotocol|playwright|mineflayer|minecraft|prismarine|vec3/;

function bareImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) {
        bare.add(fileName);
        continue;
      }
      const base = resolve(dirname(file), fileName);
      const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
      const found = candidates.find((c) => {
        try {
          return readFileSync(c) !== undefined;
        } catch {
          return false;
        }
      });
      if (found === undefined) throw new Error(`${file}: cannot resolve ${fileName}`);
      visit(found);
    }
  };
  visit(entry);
  return bare;
}

/** Modules loaded after importing each specifier in turn, in one fresh process. */
function loadedBy(...specifiers: string[]): string[][] {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@chimera/source',
      'src/__fixtures__/list-loaded-modules.mjs',
      ...specifiers,
    ],
    { cwd: packageRoot, encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(out) as string[][];
}

describe('root entry stays light', () => {
  it('imports no heavy package anywhere in its source graph', () => {
    const imports = [...bareImports(join(packageRoot, 'src/index.ts'))].sort();
    expect(imports.filter((i) => heavy.test(i))).toEqual([]);
    expect(imports.filter((i) => !i.startsWith('node:'))).toEqual(['ajv', 'ajv/dist/2020.js', 'zod']);
    // The subpath does import the MCP SDK (so the scan sees such imports).
    expect([...bareImports(join(packageRoot, 'src/mcp/index.ts'))].some((i) => heavy.test(i))).toBe(true);
  });

  it('loads no heavy module at run time, while the mcp subpath does', () => {
    const [root, mcp] = loadedBy('@chimera/toolbelt', '@chimera/toolbelt/mcp') as [string[], string[]];
    expect(root.some((url) => url.includes('/toolbelt/src/index.ts'))).toBe(true);
    expect(root.filter((url) => heavy.test(url))).toEqual([]);
    expect(mcp.some((url) => url.includes('@modelcontextprotocol'))).toBe(true);
  }, 60_000);
});
