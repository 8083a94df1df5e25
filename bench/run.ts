/**
 * Runs every benchmark (`pnpm bench`) or the ones named (`pnpm bench sumtree tal-dispatch`).
 * Each benchmark is `bench/<name>.bench.ts`, run in its own Node process so they don't disturb
 * each other's heaps and JIT state. Results land in bench/results/<name>.json and .md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@chimera/source', '--expose-gc', join(here, `${name}.bench.ts`)],
    { stdio: 'inherit', cwd: here, env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } },
  );
  if (r.status !== 0) {
    failed++;
    console.error(`benchmark ${name} failed with status ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
