// Prints vitest's JSON reporter totals as one plain line: "N passed, N failed[, N skipped]".
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no vitest results at ${file}: the run crashed before reporting`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const passed = r.numPassedTests ?? 0;
const failed = r.numFailedTests ?? 0;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const suiteFailures = (r.testResults ?? []).filter(
  (t) => t.status === 'failed' && t.assertionResults?.length === 0,
).length;
// Skipped tests (a GPU-only check on a machine without one) are said on their own line, so the last
// line is exactly "N passed, N failed".
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed + suiteFailures} failed`);
process.exit(failed + suiteFailures > 0 || passed === 0 ? 1 : 0);
