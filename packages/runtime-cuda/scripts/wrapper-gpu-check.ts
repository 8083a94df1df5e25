/**
 * Runs what src/native/load-native-kernels.test.ts and the QuZO quick-start test check, without
 * vitest, so it can run on a GPU machine that has only a node binary: the TypeScript wrapper
 * (loadNativeKernels, kernels(), wrapAddonKernels, checkAgreement) and QuZOOptimizer on the
 * native backends. scripts/addon-gpu-check.mjs checks the addon through N-API directly; this checks
 * the layer above it, the one the optimizer uses.
 *
 * Bundled into one ESM file by `wrapper-gpu-check.sh prepare` (esbuild) and run by
 * `wrapper-gpu-check.sh`. Also runs from the repo as
 *   node --import tsx packages/runtime-cuda/scripts/wrapper-gpu-check.ts [options]
 *
 * Options: --addon PATH (else CHIMERA_NATIVE_ADDON, else the package's native/build), --json PATH
 * (else $OUT/cuda-wrapper.json when OUT is set), --require-cuda (no CUDA device is a failure),
 * --inject-fault (flips one bit of every native gaussian and update output, to show the checks
 * can fail).
 * Exit status: 0 all checks pass, 1 a check failed, 2 --require-cuda and no CUDA kernels,
 * 3 the addon did not load.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { KernelSet } from '../src/kernels/kernel-set';
import { gaussianAt } from '../src/kernels/noise';
import { typescriptKernels } from '../src/kernels/typescript-kernels';
import { checkAgreement } from '../src/native/kernel-agreement';
import { kernels, loadNativeKernels } from '../src/native/load-native-kernels';
import { QuZOOptimizer } from '../src/quzo/quzo-optimizer';
import { decodeReplayLog, encodeReplayLog } from '../src/quzo/replay-log';
import { cosineSchedule } from '../src/quzo/schedules';

interface CheckResult {
  group: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  detail?: string;
}

function parseArgs(argv: string[]) {
  const opts = {
    addon: undefined as string | undefined,
    json: undefined as string | undefined,
    requireCuda: false,
    injectFault: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--addon') opts.addon = resolve(value());
    else if (a === '--json') opts.json = resolve(value());
    else if (a === '--require-cuda') opts.requireCuda = true;
    else if (a === '--inject-fault') opts.injectFault = true;
    else throw new Error(`unknown argument ${a}; see the header of wrapper-gpu-check.ts`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
// kernels() and the default loadNativeKernels() read this, so every entry point sees the same addon.
if (opts.addon) process.env.CHIMERA_NATIVE_ADDON = opts.addon;
const started = performance.now();
const results: CheckResult[] = [];
const groupMs: Record<string, number> = {};

function record(group: string, name: string, ok: boolean, detail?: string) {
  results.push({ group, name, status: ok ? 'pass' : 'fail', ...(ok || !detail ? {} : { detail }) });
  if (!ok) console.log(`FAIL [${group}] ${name}${detail ? `: ${detail}` : ''}`);
}

function skip(group: string, reason: string) {
  results.push({ group, name: group, status: 'skip', detail: reason });
  console.log(`skip [${group}]: ${reason}`);
}

/** Runs a group; a throw is one failed check, not the end of the run. */
async function group(name: string, body: () => void | Promise<void>) {
  const t0 = performance.now();
  try {
    await body();
  } catch (error) {
    record(name, 'threw', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  groupMs[name] = Math.round(performance.now() - t0);
  const mine = results.filter((r) => r.group === name);
  const passed = mine.filter((r) => r.status === 'pass').length;
  if (mine.every((r) => r.status === 'skip')) return;
  console.log(
    `[${name}] ${passed}/${mine.filter((r) => r.status !== 'skip').length} passed in ${groupMs[name]} ms`,
  );
}

function throwsMatching(fn: () => unknown, pattern: RegExp): string | null {
  try {
    fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return pattern.test(message) ? null : `threw "${message}", expected ${pattern}`;
  }
  return `did not throw (expected ${pattern})`;
}

function bits(arrays: readonly Float32Array[]): Uint32Array[] {
  return arrays.map((a) => new Uint32Array(a.buffer, a.byteOffset, a.length));
}

function firstDifference(a: readonly Uint32Array[], b: readonly Uint32Array[]): string | null {
  for (let t = 0; t < a.length; t++) {
    const x = a[t]!;
    const y = b[t]!;
    if (x.length !== y.length) return `tensor ${t}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `tensor ${t} element ${i} differs`;
  }
  return null;
}

/** --inject-fault: the same backend with one output bit flipped per gaussian and update call. */
function faulty(k: KernelSet): KernelSet {
  return {
    ...k,
    gaussian(out, seed, tensor, offset) {
      k.gaussian(out, seed, tensor, offset);
      if (out.length > 0) new Uint32Array(out.buffer, out.byteOffset, out.length)[out.length - 1]! ^= 1;
    },
    update(params, offset, tensor, directions, lr, weightDecay) {
      k.update(params, offset, tensor, directions, lr, weightDecay);
      if (params.length > 0) new Uint32Array(params.buffer, params.byteOffset, params.length)[0]! ^= 1;
    },
  };
}

const native = loadNativeKernels();
const cpu = opts.injectFault && native.available ? faulty(native.cpu) : native.cpu;
const cuda = native.cuda && opts.injectFault ? faulty(native.cuda) : native.cuda;
const cudaReason = native.cuda ? '' : `no CUDA kernels: ${native.reason ?? 'unknown reason'}`;
console.log(
  native.cuda
    ? `CUDA device: ${native.device?.name} (sm ${native.device?.computeCapability})`
    : `CUDA unavailable: ${native.reason}`,
);

// load-native-kernels.test.ts, first case: loading, the backend choice and one gaussian.
await group('load', () => {
  record('load', 'addon loaded', native.available, native.reason);
  record('load', 'cpu backend is native', native.cpu.backend === 'cpu', `backend ${native.cpu.backend}`);
  record('load', "kernels('typescript') is the TypeScript set", kernels('typescript') === typescriptKernels);
  if (native.cuda) {
    record('load', "kernels() picks 'cuda'", kernels().backend === 'cuda', `backend ${kernels().backend}`);
    record('load', 'device has a name', Boolean(native.device?.name));
  } else {
    record(
      'load',
      'the reason names the missing GPU',
      /no CUDA device|built without CUDA|probe kernel/.test(native.reason ?? ''),
      native.reason,
    );
    record(
      'load',
      "kernels() falls back to 'cpu'",
      kernels().backend === 'cpu',
      `backend ${kernels().backend}`,
    );
  }
  const z = new Float32Array(1024);
  const ref = new Float32Array(1024);
  (opts.injectFault ? faulty(kernels()) : kernels()).gaussian(z, 42, 0, 0);
  typescriptKernels.gaussian(ref, 42, 0, 0);
  record(
    'load',
    `kernels() gaussian (${kernels().backend}) equals TypeScript`,
    firstDifference(bits([z]), bits([ref])) === null,
  );
});

function agreement(
  name: string,
  a: KernelSet,
  b: KernelSet,
  options: { matmulTolerance: number; size?: number },
) {
  const reports = checkAgreement(a, b, options);
  for (const r of reports) record(name, r.check, r.difference === null, r.difference ?? undefined);
  record(name, 'more than 15 checks ran', reports.length > 15, `${reports.length} checks`);
}

await group('cpu vs typescript (bit exact)', () =>
  native.available
    ? agreement('cpu vs typescript (bit exact)', typescriptKernels, cpu, { matmulTolerance: 0 })
    : skip('cpu vs typescript (bit exact)', native.reason ?? 'addon not loaded'),
);
// The vitest CUDA case verbatim: checkAgreement(native.cpu, native.cuda, { 1e-5, 1_000_003 }).
await group('cuda vs cpu (size 1_000_003)', () =>
  cuda
    ? agreement('cuda vs cpu (size 1_000_003)', cpu, cuda, { matmulTolerance: 1e-5, size: 1_000_003 })
    : skip('cuda vs cpu (size 1_000_003)', cudaReason),
);
await group('cuda vs typescript', () =>
  cuda
    ? agreement('cuda vs typescript', typescriptKernels, cuda, { matmulTolerance: 1e-5 })
    : skip('cuda vs typescript', cudaReason),
);

// load-native-kernels.test.ts: "a QuZO run on the CPU kernels is bit-identical to one on the
// TypeScript kernels", here for CUDA too.
async function smallQuZO(k: KernelSet): Promise<Uint32Array[]> {
  const w = new Float32Array(3001).map((_, i) => Math.sin(i) * 0.1);
  const b = new Float32Array(7);
  const opt = new QuZOOptimizer({
    params: [w, b],
    lr: 1e-3,
    eps: 1e-3,
    perturbBits: 4,
    gradBits: 8,
    directions: 2,
    seed: 5,
    kernels: k,
    chunkSize: 1000,
  });
  const loss = () =>
    w.reduce((s, v, i) => s + (v - (i % 3)) ** 2, 0) / w.length + b.reduce((s, v) => s + v * v, 1);
  for (let s = 0; s < 8; s++) await opt.step(loss);
  return bits([w, b]);
}

await group('quzo 8 steps', async () => {
  if (!native.available) return skip('quzo 8 steps', native.reason ?? 'addon not loaded');
  const reference = await smallQuZO(typescriptKernels);
  const onCpu = firstDifference(await smallQuZO(cpu), reference);
  record('quzo 8 steps', 'cpu run equals TypeScript run bit for bit', onCpu === null, onCpu ?? undefined);
  if (!cuda) return skip('quzo 8 steps', `cuda run: ${cudaReason}`);
  const onCuda = firstDifference(await smallQuZO(cuda), reference);
  record('quzo 8 steps', 'cuda run equals TypeScript run bit for bit', onCuda === null, onCuda ?? undefined);
});

/** quzo-optimizer.test.ts's least squares: L(x) = |A x - b|^2 / 2m with a known optimum. */
function leastSquares(d = 32, m = 64) {
  const a = new Float64Array(m * d);
  const target = new Float64Array(d);
  const b = new Float64Array(m);
  for (let i = 0; i < m * d; i++) a[i] = gaussianAt(1, 0, i) / Math.sqrt(d);
  for (let i = 0; i < d; i++) target[i] = gaussianAt(1, 1, i);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[r * d + c]! * target[c]!;
    b[r] = s;
  }
  const lossOf = (x: Float32Array) => () => {
    let t = 0;
    for (let r = 0; r < m; r++) {
      let s = -b[r]!;
      for (let c = 0; c < d; c++) s += a[r * d + c]! * x[c]!;
      t += s * s;
    }
    return t / (2 * m);
  };
  return { d, lossOf };
}

// quzo-optimizer.test.ts quick start, on kernels() (CUDA here when a device is usable): it must
// learn, and the TypeScript replay of its 13-byte-per-step log must give the same bits.
await group('quzo quick start on kernels()', async () => {
  const { d, lossOf } = leastSquares();
  const weights = new Float32Array(d);
  const loss = lossOf(weights);
  const initialLoss = loss();
  const backend = opts.injectFault ? faulty(kernels()) : kernels();
  const opt = new QuZOOptimizer({
    params: [weights],
    lr: cosineSchedule({ from: 0.2, to: 0.02, steps: 600 }),
    eps: 1e-3,
    perturbBits: 4,
    gradBits: 8,
    directions: 1,
    seed: 42,
    kernels: backend,
  });
  for (let step = 0; step < 600; step++) await opt.step(loss);
  const name = 'quzo quick start on kernels()';
  const finalLoss = loss();
  record(
    name,
    `backend is ${backend.backend}`,
    backend.backend === (native.cuda ? 'cuda' : native.available ? 'cpu' : 'typescript'),
  );
  record(
    name,
    `loss fell below 10% (${initialLoss.toPrecision(4)} -> ${finalLoss.toPrecision(4)})`,
    finalLoss < 0.1 * initialLoss,
  );
  const log = encodeReplayLog(opt.records, 1, true);
  record(
    name,
    'replay log is 16 + 13 bytes per step',
    log.byteLength === 16 + 600 * 13,
    `${log.byteLength} bytes`,
  );
  const replayed = QuZOOptimizer.replay({ ...opt.state(), log: decodeReplayLog(log) }, [new Float32Array(d)]);
  const diff = firstDifference(bits(replayed), bits([weights]));
  record(name, 'TypeScript replay equals the trained weights bit for bit', diff === null, diff ?? undefined);
});

// Beyond the vitest suite: a model-sized tensor (2,000,003 parameters, 31 chunks of 65536 and a
// ragged tail), so the optimizer's chunked kernel calls run on the GPU at a realistic size.
async function largeQuZO(k: KernelSet): Promise<{ bits: Uint32Array[]; ledger: number }> {
  const w = new Float32Array(2_000_003).map((_, i) => gaussianAt(3, 0, i) * 0.02);
  const b = new Float32Array(129);
  const opt = new QuZOOptimizer({
    params: [w, b],
    lr: 1e-4,
    eps: 1e-3,
    perturbBits: 4,
    gradBits: 8,
    directions: 2,
    seed: 11,
    weightDecay: [0.01, 0],
    kernels: k,
  });
  const loss = () => {
    let s = 0;
    for (let i = 0; i < w.length; i += 1) s += (w[i]! - 0.01) ** 2;
    return s / w.length + b.reduce((t, v) => t + (v - 1) ** 2, 0);
  };
  let ledger = 0;
  for (let s = 0; s < 3; s++) ledger = Math.max(ledger, (await opt.step(loss)).ledgerEntries);
  return { bits: bits([w, b]), ledger };
}

await group('quzo 2M parameters', async () => {
  const g = 'quzo 2M parameters';
  if (!native.available) return skip(g, native.reason ?? 'addon not loaded');
  // Without a device the same run compares the native CPU kernels with the TypeScript ones.
  const [refName, ref, subName, subject] = cuda
    ? (['cpu', cpu, 'cuda', cuda] as const)
    : (['typescript', typescriptKernels, 'cpu', cpu] as const);
  const a = await largeQuZO(ref);
  const b = await largeQuZO(subject);
  const diff = firstDifference(b.bits, a.bits);
  record(
    g,
    `${subName} run equals ${refName} run bit for bit (3 steps, 2 directions)`,
    diff === null,
    diff ?? undefined,
  );
  record(g, `largest ledger equal (${a.ledger} vs ${b.ledger})`, a.ledger === b.ledger && a.ledger > 0);
});

// load-native-kernels.test.ts: wrong arguments throw instead of crashing, on each native backend.
for (const [name, k] of [
  ['cpu', native.available ? native.cpu : undefined],
  ['cuda', native.cuda],
] as const) {
  await group(`bad arguments (${name})`, () => {
    const g = `bad arguments (${name})`;
    if (!k) return skip(g, name === 'cuda' ? cudaReason : (native.reason ?? 'addon not loaded'));
    const gaussian = (k as unknown as { gaussian: (...a: unknown[]) => void }).gaussian;
    const typeError = throwsMatching(() => gaussian(new Float64Array(4), 1, 2, 0), /./);
    record(g, 'gaussian into a Float64Array throws', typeError === null, typeError ?? undefined);
    const noRoom = throwsMatching(
      () =>
        k.perturbPlus(
          new Float32Array(8),
          0,
          { seed: 1, tensor: 0, quantizer: null },
          1e-3,
          new Uint8Array(1),
          new Uint32Array(2),
          new Float32Array(2),
        ),
      /ledger arrays must have room/,
    );
    record(g, 'short ledger throws', noRoom === null, noRoom ?? undefined);
    const perturb = (offset: number) =>
      k.perturbPlus(
        new Float32Array(8),
        offset,
        { seed: 1, tensor: 0, quantizer: null },
        1e-3,
        new Uint8Array(1),
        new Uint32Array(8),
        new Float32Array(8),
      );
    const fractional = throwsMatching(() => perturb(1.5), /integer/);
    record(g, 'offset 1.5 throws', fractional === null, fractional ?? undefined);
    const past = throwsMatching(() => perturb(2 ** 32 - 4), /2\^32/);
    record(g, 'range past 2^32 throws', past === null, past ?? undefined);
    let lastFits: string | null = null;
    try {
      perturb(2 ** 32 - 8);
    } catch (error) {
      lastFits = String(error);
    }
    record(g, 'range ending at 2^32 runs', lastFits === null, lastFits ?? undefined);
  });
}

// load-native-kernels.test.ts: a missing or broken addon falls back to TypeScript.
await group('fallback', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'chimera-native-'));
  const missing = loadNativeKernels({ addonPath: join(dir, 'absent.node') });
  record(
    'fallback',
    'missing addon: not available, TypeScript kernels',
    !missing.available &&
      /native addon not built/.test(missing.reason ?? '') &&
      missing.cpu === typescriptKernels,
    missing.reason,
  );
  const bad = join(dir, 'broken.node');
  writeFileSync(bad, 'not an ELF file');
  const broken = loadNativeKernels({ addonPath: bad });
  record(
    'fallback',
    'broken addon: not available, reason says it failed to load',
    !broken.available && /failed to load/.test(broken.reason ?? ''),
    broken.reason,
  );
});

const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
const failed = count('fail');
let addonSha256: string | null = null;
try {
  if (native.addonPath)
    addonSha256 = createHash('sha256').update(readFileSync(native.addonPath)).digest('hex');
} catch {
  // reported as null: the loader already said why the file is missing
}
const exitCode = failed > 0 ? 1 : !native.available ? 3 : opts.requireCuda && !native.cuda ? 2 : 0;
const summary = {
  script: 'packages/runtime-cuda/scripts/wrapper-gpu-check.ts',
  date: new Date().toISOString(),
  node: process.version,
  host: { cpu: os.cpus()[0]?.model ?? 'unknown', threads: os.cpus().length },
  injectFault: opts.injectFault,
  addonPath: native.addonPath ?? null,
  addonSha256,
  available: native.available,
  cuda: Boolean(native.cuda),
  device: native.device ?? null,
  reason: native.reason ?? null,
  passed: count('pass'),
  failed,
  skipped: count('skip'),
  exitCode,
  wallMs: Math.round(performance.now() - started),
  groupMs,
  checks: results,
};
const jsonPath = opts.json ?? (process.env.OUT ? join(process.env.OUT, 'cuda-wrapper.json') : undefined);
if (jsonPath) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
}
const { checks: _checks, ...head } = summary;
console.log(JSON.stringify({ ...head, failures: results.filter((r) => r.status === 'fail') }, null, 2));
process.exitCode = exitCode;
