#!/usr/bin/env node
// chimera-quantize: quantize a model to 4 bits and print a per-layer report (see src/quant/cli.ts).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/quant-cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'chimera-quantize: dist/quant-cli.js is missing; build @chimera/runtime-cuda first (pnpm --filter @chimera/runtime-cuda build)\n',
  );
  process.exit(1);
}
await import(entry.href);
