/**
 * Hot-swap latency of the System of Selves for adapters of 1 MB, 16 MB and 128 MB (float32 LoRA
 * factors, d = 4096, rank 16: 2, 32 and 256 adapted projections), against a plain memory copy of
 * the same bytes measured in the same run.
 *
 * - from RAM cache: `HotSwapper.activate` alternating between two resident adapters through a
 *   `StagingDevice` (cache hit, unload, copy every tensor into the device arena): the blueprint's
 *   RAM -> device swap, with host memory standing in for device memory.
 * - from disk: the same, with a RAM budget of 0, so every activation reads the version through
 *   `SelfLibrary.loadAdapter` (PEFT directory, strict checks, SHA-256 checksum verified) and copies
 *   it. The files were just written, so the OS page cache serves them: this is parse + verify +
 *   convert + copy, not a cold disk read.
 * - chimera-nano: `NanoSelves.weights()` alternating between two acting Selves (8.3 KiB adapters,
 *   host device: onnxruntime reads the live arrays, so a swap is a cache hit and a rebind).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import {
  AdapterCache,
  adapterBytes,
  createNanoSelves,
  createPeftAdapter,
  HotSwapper,
  type PeftAdapter,
  SelfLibrary,
  StagingDevice,
} from '@chimera/selves';
import { type BenchRow, median, writeResult } from './lib/report';

const dir = mkdtempSync(join(tmpdir(), 'selves-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const D = 4096;
const RANK = 16;
const MB = 1024 * 1024;

function adapterOf(modules: number, fill: number): PeftAdapter {
  const entries: Record<
    string,
    { a: Float32Array; b: Float32Array; rank: number; inFeatures: number; outFeatures: number }
  > = {};
  for (let i = 0; i < modules; i++) {
    const a = new Float32Array(RANK * D);
    const b = new Float32Array(D * RANK);
    for (let j = 0; j < a.length; j++) a[j] = Math.sin(j * 0.37 + i + fill);
    b.fill(fill);
    entries[`model.layers.${i >> 1}.self_attn.${i % 2 ? 'v' : 'q'}_proj`] = {
      a,
      b,
      rank: RANK,
      inFeatures: D,
      outFeatures: D,
    };
  }
  return createPeftAdapter({ baseModel: 'bench/base', modules: entries });
}

const tensorsOf = (adapter: PeftAdapter) => [...adapter.modules.values()].flatMap((m) => [m.a, m.b]);

/** Median ms of `fn` over `reps` runs (after one warm-up); for the chimera-nano baseline. */
async function timeMs(fn: () => unknown | Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

const rows: BenchRow[] = [];
const library = await SelfLibrary.open(join(dir, 'library'), { baseModel: 'bench/base' });

for (const [label, modules, reps] of [
  ['1 MB', 2, 200],
  ['16 MB', 32, 40],
  ['128 MB', 256, 8],
] as const) {
  const adapters = [adapterOf(modules, 0.5), adapterOf(modules, -0.5)];
  const bytes = adapterBytes(adapters[0]!);
  const names = [`A_${modules}`, `B_${modules}`];
  for (const [i, name] of names.entries())
    await library.register({ name, function: 'bench adapter' }, adapters[i]!);

  // Baseline: a plain copy of the same bytes into a preallocated buffer, alternating between the
  // two adapters' tensors as the swaps do (so neither side finds its source in the CPU cache).
  const sources = adapters.map(tensorsOf);
  const target = new Float32Array(bytes / 4);
  let copyFlip = 0;
  const copy = () => {
    let offset = 0;
    for (const t of sources[copyFlip++ % 2]!) {
      target.set(t, offset);
      offset += t.length;
    }
  };

  // From RAM: both adapters resident, each activation copies one into the device arena.
  const ram = new HotSwapper({
    cache: new AdapterCache<PeftAdapter>(4 * bytes, adapterBytes),
    device: new StagingDevice(tensorsOf),
    load: (key) => library.loadAdapter(key),
  });
  // From disk: nothing stays in RAM, every activation reads and verifies the version.
  const disk = new HotSwapper({
    cache: new AdapterCache<PeftAdapter>(0, adapterBytes),
    device: new StagingDevice(tensorsOf),
    load: (key) => library.loadAdapter(key),
  });
  let flip = 0;
  let diskFlip = 1;
  // Interleaved, so the shared machine's noise hits the baseline and the swaps alike.
  const samples = { copy: [] as number[], ram: [] as number[], disk: [] as number[] };
  const time = async (fn: () => unknown, into: number[]) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  copy();
  await ram.activate(names[0]!);
  await ram.activate(names[1]!);
  await disk.activate(names[0]!);
  for (let i = 0; i < reps; i++) {
    await time(copy, samples.copy);
    await time(() => ram.activate(names[flip++ % 2]!), samples.ram);
    if (i % 8 === 0 || reps <= 8) await time(() => disk.activate(names[diskFlip++ % 2]!), samples.disk);
  }
  const copyMs = median(samples.copy);
  const ramMs = median(samples.ram);
  const diskMs = median(samples.disk);

  const mb = (bytes / MB).toFixed(0);
  rows.push(
    {
      metric: `swap from RAM cache, ${label} (${modules} modules)`,
      value: ramMs,
      unit: 'ms',
      baseline: copyMs,
      baselineName: `memory copy of ${mb} MB`,
      better: 'lower',
      note: `${((bytes / MB / ramMs) * 1000).toFixed(0)} MB/s`,
    },
    {
      metric: `swap from disk, ${label} (read + checks + SHA-256 + copy)`,
      value: diskMs,
      unit: 'ms',
      baseline: copyMs,
      baselineName: `memory copy of ${mb} MB`,
      better: 'lower',
      note: 'OS page cache warm',
    },
  );
  console.log(
    `${label}: copy ${copyMs.toFixed(3)} ms, RAM swap ${ramMs.toFixed(3)} ms, disk swap ${diskMs.toFixed(1)} ms`,
  );
}

// chimera-nano through the real host: weights() alternating between two acting Selves.
const model = await NanoPolicyModel.create();
const selves = await createNanoSelves({ dir: join(dir, 'nano'), model, seed: 1 });
const pair = ['Form_Filler', 'Playwright_Navigator'];
for (let i = 0; i < 1000; i++) selves.weights(pair[i % 2]!);
const before = selves.swapStats();
const N = 20000;
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) selves.weights(pair[i % 2]!);
const nanoUs = Number(process.hrtime.bigint() - t0) / N / 1000;
const after = selves.swapStats();
const live = selves.weights('Form_Filler');
const nanoTarget = live.parameters().map((p) => new Float32Array(p.length));
const nanoCopyMs = await timeMs(() => {
  for (let r = 0; r < 1000; r++)
    live.parameters().forEach((p, i) => {
      nanoTarget[i]!.set(p);
    });
}, 20);
rows.push({
  metric: `chimera-nano weights() swap between two Selves (${((live.parameterCount * 4) / 1024).toFixed(1)} KiB, host device)`,
  value: nanoUs,
  unit: 'us',
  baseline: nanoCopyMs,
  baselineName: 'memory copy of the same adapter',
  better: 'lower',
  note: `${after.count - before.count} swaps counted; stats mean ${(after.meanLatencyMs * 1000).toFixed(2)} us`,
});
await model.release();
writeResult('selves-swap', rows);
