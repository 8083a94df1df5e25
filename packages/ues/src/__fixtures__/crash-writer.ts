/**
 * Child process for the crash-safety test: opens the store, then appends batches (and writes
 * signals) as fast as it can, printing each acknowledgement only after the call resolved. The
 * parent kills it with SIGKILL at a random moment and checks that everything acknowledged is there.
 *
 * argv: <db path> <round> <batch size>
 * stdin: one line `go` starts the work (the parent starts the next writer while it checks the
 *   previous round, so process start-up is off the critical path).
 * stdout: `loaded`, `ready` once the store is open, then `batch <n>` per committed batch and
 *   `signal <id> <version>` per signal write.
 */
import { once } from 'node:events';
import { SqliteExperienceStore } from '../stores/sqlite/sqlite-experience-store';
import { webStep } from './experiences';

const [path, roundArg, sizeArg] = process.argv.slice(2);
const round = Number(roundArg);
const size = Number(sizeArg);
const agentId = `round-${round}`;

process.stdout.write('loaded\n');
process.stdin.setEncoding('utf8');
let input = '';
while (!input.includes('go\n')) {
  const [chunk] = (await once(process.stdin, 'data')) as [string];
  input += chunk;
}

const store = await SqliteExperienceStore.open(path!, { integrityCheck: 'none' });
process.stdout.write('ready\n');
// stdout to a pipe is synchronous on Linux: a printed acknowledgement has left the process.
for (let batch = 0; ; batch++) {
  const records = Array.from({ length: size }, (_, i) => {
    const step = (batch * size + i) % 7;
    const r = webStep({
      episodeId: `${agentId}-ep-${Math.floor((batch * size + i) / 7)}`,
      step,
      agentId,
      outcome: step === 6 ? (i % 2 ? 'success' : 'failure') : undefined,
    });
    r.id = `${agentId}-b${batch}-${i}`;
    return r;
  });
  await store.append(records);
  process.stdout.write(`batch ${batch}\n`);
  if (batch % 3 === 2) {
    const [v] = await store.writeSignals([{ id: `${agentId}-b${batch}-0`, tdError: batch, priority: 1 }]);
    process.stdout.write(`signal ${v!.id} ${v!.version}\n`);
  }
}
