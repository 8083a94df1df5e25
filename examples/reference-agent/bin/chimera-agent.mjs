#!/usr/bin/env node
// Entry point of the reference agent's CLI. The CLI is built to dist/ by `pnpm build` (scripts/setup.sh).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('chimera-agent is not built yet: run `bash scripts/setup.sh` at the repository root first.');
  process.exit(1);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
