import { defineConfig } from 'vitest/config';

// vitest 4 removed vitest.workspace.ts: projects are listed here, each with its own defineProject config.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'docs', 'tests/*'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
