/**
 * Shared vitest project settings. Tests import workspace packages by their public names
 * (`@chimera/toolbelt/mcp`); these aliases point those names at each package's sources (the
 * `@chimera/source` export condition), so a test run needs no prior build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const root = new URL('.', import.meta.url).pathname;

function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  const dir = join(root, 'packages');
  for (const name of readdirSync(dir)) {
    const pkgPath = join(dir, name, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
    };
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== 'object' || target === null) continue;
      const source = (target as Record<string, unknown>)['@chimera/source'];
      if (typeof source !== 'string') continue;
      const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      const escaped = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      aliases.push({ find: new RegExp(`^${escaped}$`), replacement: resolve(dir, name, source) });
    }
  }
  return aliases;
}

export function chimeraProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { alias: sourceAliases() },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...test,
    },
  });
}
