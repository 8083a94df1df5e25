#!/usr/bin/env node
/**
 * Checks the native addon's CUDA path end to end through N-API: typed arrays in, `addon.cuda.*`
 * out, compared bit for bit with `addon.cpu.*` on the same seeded inputs. The standalone harness
 * (native/test/gpu_parity.cu) already checks the kernels themselves; this script checks the glue in
 * native/src/addon.cc (argument unpacking, result arrays, error translation) as JavaScript sees it.
 *
 *   node packages/runtime-cuda/scripts/addon-gpu-check.mjs [--addon PATH] [--max-size N]
 *        [--reps N] [--budget-s S]
 *
 * Plain Node ESM with no dependencies, so it runs on a GPU machine that has only a node binary.
 * Without a usable CUDA device (cudaProbe().available false) it checks the CPU paths only: every
 * parity check then compares `cpu` with a second `cpu` call (determinism), and every `cuda.*`
 * function must throw a clear Error instead of crashing; it exits 0 if those pass.
 *
 * --inject-fault changes one bit of every compared call's output, to show that the checks can fail.
 *
 * Output: tables on stdout; with OUT set, $OUT/cuda-addon.json. Exit status: 0 all checks pass,
 * 1 a mismatch, a failed round trip or a bad argument that did not throw as required, 3 the addon
 * could not be loaded. "Findings" (edge behaviour the addon does not promise, such as empty inputs
 * or offsets past 2^32) are recorded and printed but do not change the exit status.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();
const MATMUL_TOLERANCE = 1e-5;

// ------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = {
    addon: process.env.ADDON || join(here, '..', 'native', 'build', 'Release', 'chimera_kernels.node'),
    maxSize: undefined,
    reps: 5,
    budgetS: 170,
    injectFault: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--addon') opts.addon = value();
    else if (a === '--max-size') opts.maxSize = Number(value());
    else if (a === '--reps') opts.reps = Number(value());
    else if (a === '--budget-s') opts.budgetS = Number(value());
    else if (a === '--inject-fault') opts.injectFault = true;
    else usage(`unknown argument ${a}`);
  }
  if (opts.maxSize !== undefined && !(opts.maxSize >= 1)) usage('--max-size must be >= 1');
  if (!(opts.reps >= 1)) usage('--reps must be >= 1');
  return opts;
}

function usage(message) {
  console.error(`addon-gpu-check: ${message}`);
  console.error(
    'usage: addon-gpu-check.mjs [--addon PATH] [--max-size N] [--reps N] [--budget-s S] [--inject-fault]',
  );
  process.exit(3);
}

const opts = parseArgs(process.argv.slice(2));

// ------------------------------------------------------------------------------------------
// Loading and probing

const addonPath = resolve(opts.addon);
let addon;
try {
  addon = createRequire(import.meta.url)(addonPath);
} catch (e) {
  console.error(`addon-gpu-check: cannot load ${addonPath}: ${e.message}`);
  console.error('Build it first: pnpm --filter @chimera/runtime-cuda build:native');
  process.exit(3);
}
const addonSha256 = createHash('sha256').update(readFileSync(addonPath)).digest('hex');
const probeStart = performance.now();
const probe = addon.cudaProbe();
const probeMs = performance.now() - probeStart;
const gpu = probe.available === true;
const otherName = gpu ? 'cuda' : 'cpu (repeat)';
const other = opts.injectFault ? withFault(gpu ? addon.cuda : addon.cpu) : gpu ? addon.cuda : addon.cpu;

console.log(`addon-gpu-check ${new Date().toISOString()} on ${os.hostname()}`);
console.log(
  `node ${process.version}; host CPU ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} threads`,
);
console.log(`addon ${addonPath}`);
console.log(`  sha256 ${addonSha256}; abiVersion ${addon.abiVersion}; cudaCompiled ${addon.cudaCompiled}`);
console.log(`cudaProbe() in ${probeMs.toFixed(1)} ms: ${JSON.stringify(probe)}`);
if (gpu) {
  console.log(`mode: CUDA vs CPU on ${probe.name} (sm ${probe.computeCapability})`);
} else {
  console.log(`mode: CPU only. No usable CUDA device (${probe.reason || 'CUDA not compiled in'}).`);
  console.log('  Parity checks compare the CPU kernels with a second CPU call; cuda.* must throw cleanly.');
}

// --inject-fault: changes one output element (or result number) of every call on the compared
// side: its lowest bit, or for matmulInt4 (compared within a tolerance) its sign. Every parity
// check of a kernel's first output must then fail: proof that the checks can. (perturbMinus can
// pass: its input already carries perturbPlus's flip, and two flips of one bit cancel.)
function withFault(k) {
  const flip = (t, bit) => {
    if (t?.length) new Uint32Array(t.buffer, t.byteOffset, 1)[0] ^= bit;
  };
  const outputOf = {
    gaussian: 0,
    stochasticRound: 1,
    perturbPlus: 0,
    perturbMinus: 0,
    perturbRestore: 0,
    update: 0,
    matmulInt4: 12,
  };
  const wrapped = {};
  for (const [name, fn] of Object.entries(k)) {
    wrapped[name] = (...args) => {
      const r = fn(...args);
      if (name === 'gaussianRange') return [r[0] + 1, r[1]];
      flip(args[outputOf[name]], name === 'matmulInt4' ? 0x80000000 : 1);
      return r;
    };
  }
  return wrapped;
}

const defaultMax = gpu ? 1 << 24 : 1 << 20;
const maxSize = opts.maxSize ?? defaultMax;
const SIZES = [1, 1023, 1 << 20, 1 << 24].filter((n) => n <= maxSize);

// ------------------------------------------------------------------------------------------
// Seeded inputs (a 32-bit generator: fast enough to fill 16M-element buffers in plain JS)

function rng(seed) {
  let s = seed >>> 0 || 1;
  const u32 = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = () => (u32() + 0.5) / 4294967296;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { u32, uniform, normal };
}

function normals(n, seed, scale) {
  const r = rng(seed);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = r.normal() * scale;
  return v;
}

// Magnitudes around eps * u, so both the hint bits and the ledger are used; with `specials`
// also zeros, subnormals, huge values, infinities and NaNs with non-canonical payloads (the
// restore must give those bits back too).
function mixedParams(n, seed, specials) {
  const r = rng(seed);
  const p = new Float32Array(n);
  const bits = new Uint32Array(p.buffer);
  for (let i = 0; i < n; i++) {
    const k = r.u32() % 100;
    const z = r.normal();
    if (k < 60) p[i] = z * 0.05;
    else if (k < 80) p[i] = z * 1e-4;
    else if (k < 88) p[i] = z * 1e-6;
    else if (k < 93) p[i] = 0;
    else if (k < 96) p[i] = z * 3;
    else if (specials && k === 96) p[i] = r.u32() & 1 ? 1e-41 : -3e-44;
    else if (specials && k === 97) p[i] = r.u32() & 1 ? 3e38 : -1e37;
    else if (specials && k === 98) p[i] = r.u32() & 1 ? Infinity : -Infinity;
    else if (specials && k === 99) bits[i] = r.u32() & 1 ? 0x7fc01234 : 0xffc00001;
    else p[i] = z * 0.01;
  }
  return p;
}

// The quantizer of a range (mirrors quantizer_for in native/src/kernels.h).
function quantizerFor(min, max, bits) {
  const levels = 2 ** bits - 1;
  if (!(max > min)) return { scale: 0, zeroPoint: 0, levels };
  const scale = levels / (max - min);
  return { scale, zeroPoint: -scale * min, levels };
}

const NO_QUANTIZER = { scale: 0, zeroPoint: 0, levels: 0 };

// ------------------------------------------------------------------------------------------
// Comparison records

const checks = [];
const findings = [];
const timings = [];

function newDiff() {
  return { compared: 0, mismatches: 0, nanPayload: 0, maxAbs: 0, first: '' };
}

function note(d, what) {
  d.mismatches++;
  if (!d.first) d.first = what;
}

function hex(u) {
  return `0x${u.toString(16).padStart(8, '0')}`;
}

// Bit-for-bit; NaN against NaN with another payload is counted apart, not as a mismatch (CUDA
// arithmetic returns the canonical NaN, x86 keeps the operand's payload; see cuda-kernels.md).
function cmpFloats(d, what, ref, got) {
  const a = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
  const b = new Uint32Array(got.buffer, got.byteOffset, got.length);
  if (a.length !== b.length) return note(d, `${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    d.compared++;
    if (a[i] === b[i]) continue;
    if (Number.isNaN(ref[i]) && Number.isNaN(got[i])) {
      d.nanPayload++;
      continue;
    }
    const diff = Math.abs(ref[i] - got[i]);
    d.maxAbs = Math.max(d.maxAbs, Number.isNaN(diff) ? Infinity : diff);
    note(d, `${what}[${i}]: cpu ${ref[i]} (${hex(a[i])}) vs ${otherName} ${got[i]} (${hex(b[i])})`);
  }
}

function cmpInts(d, what, ref, got) {
  if (ref.length !== got.length) return note(d, `${what}: length ${ref.length} vs ${got.length}`);
  for (let i = 0; i < ref.length; i++) {
    d.compared++;
    if (ref[i] !== got[i]) {
      d.maxAbs = Math.max(d.maxAbs, Math.abs(ref[i] - got[i]));
      note(d, `${what}[${i}]: cpu ${ref[i]} vs ${otherName} ${got[i]}`);
    }
  }
}

// Numbers returned in JS arrays (ranges, quantizer fields): equal as doubles, NaN equal to NaN.
function cmpNumbers(d, what, ref, got) {
  for (let i = 0; i < ref.length; i++) {
    d.compared++;
    if (!Object.is(ref[i], got[i])) note(d, `${what}[${i}]: cpu ${ref[i]} vs ${otherName} ${got[i]}`);
  }
}

// Runs `body` for one check; an exception thrown by a backend on valid input is a failure.
function check(kernel, config, size, kind, body) {
  const c = { kernel, config, size, kind, ok: false, error: '', ...newDiff() };
  try {
    const extra = body(c) ?? {};
    Object.assign(c, extra);
    c.ok = c.mismatches === 0 && !c.error;
  } catch (e) {
    c.error = `${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`;
  }
  checks.push(c);
  const status = c.ok ? 'ok  ' : 'FAIL';
  const detail = c.error || c.first;
  console.log(
    `  ${status} ${kernel} [${config}] n=${size} ${kind}: ${c.compared} compared, ${c.mismatches} mismatches` +
      `${c.nanPayload ? `, ${c.nanPayload} NaN payloads` : ''}${detail ? ` -- ${detail}` : ''}`,
  );
  return c;
}

// ------------------------------------------------------------------------------------------
// Timing: median of `reps` calls per backend; the parity calls just before are the warm-up.

function elapsedS() {
  return (performance.now() - started) / 1000;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeCalls(reps, fn) {
  const ns = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    ns.push(Number(process.hrtime.bigint() - t0));
  }
  return median(ns);
}

// `run(backend)` returns the median ns per call of one or more phases, e.g. {perturbPlus: ns}.
function timing(kernel, config, size, run) {
  if (elapsedS() > opts.budgetS) {
    timings.push({ kernel, config, size, skipped: `past --budget-s ${opts.budgetS}` });
    return;
  }
  const cpu = run(addon.cpu);
  const cuda = gpu ? run(addon.cuda) : null;
  for (const phase of Object.keys(cpu)) {
    const cpuNs = cpu[phase];
    const cudaNs = cuda ? cuda[phase] : null;
    timings.push({
      kernel: phase,
      config,
      size,
      reps: opts.reps,
      cpuNs,
      cudaNs,
      cpuOverCuda: cudaNs ? cpuNs / cudaNs : null,
    });
  }
}

// ------------------------------------------------------------------------------------------
// Kernels

const SEED = 9;
const TENSOR = 2;

function sizeLabel(n) {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  return String(n);
}

function checkGaussian(n, offset, timed = true) {
  const config = `offset ${offset}`;
  const a = new Float32Array(n).fill(7);
  const b = new Float32Array(n).fill(-7);
  check('gaussian', config, n, 'parity', (c) => {
    addon.cpu.gaussian(a, SEED, TENSOR, offset);
    other.gaussian(b, SEED, TENSOR, offset);
    cmpFloats(c, 'out', a, b);
  });
  if (timed && offset === 1) {
    timing('gaussian', config, n, (k) => ({
      gaussian: timeCalls(opts.reps, () => k.gaussian(b, SEED, TENSOR, 1)),
    }));
  }
}

function checkGaussianRange(n) {
  let ra;
  check('gaussianRange', 'length n', n, 'parity', (c) => {
    ra = addon.cpu.gaussianRange(SEED, TENSOR, n);
    const rb = other.gaussianRange(SEED, TENSOR, n);
    cmpNumbers(c, '[min, max]', ra, rb);
    if (!(Array.isArray(rb) && rb.length === 2)) note(c, `result is not [min, max]: ${JSON.stringify(rb)}`);
  });
  timing('gaussianRange', 'length n', n, (k) => ({
    gaussianRange: timeCalls(opts.reps, () => k.gaussianRange(SEED, TENSOR, n)),
  }));
  return ra;
}

function checkStochasticRound(n, bits, withCodes) {
  const config = `${bits} bits${withCodes ? ', with codes' : ''}`;
  const input = normals(n, 100 + n + bits, 0.1);
  const oa = new Float32Array(n);
  const ob = new Float32Array(n).fill(1);
  const ca = withCodes ? new Uint8Array(n) : null;
  const cb = withCodes ? new Uint8Array(n).fill(0xee) : null;
  check('stochasticRound', config, n, 'parity', (c) => {
    const ra = addon.cpu.stochasticRound(input, oa, bits, SEED, 5, ca);
    const rb = other.stochasticRound(input, ob, bits, SEED, 5, cb);
    cmpNumbers(c, '[scale, zeroPoint, levels, min, max]', ra, rb);
    cmpFloats(c, 'output', oa, ob);
    if (withCodes) cmpInts(c, 'codes', ca, cb);
  });
  timing('stochasticRound', config, n, (k) => ({
    stochasticRound: timeCalls(opts.reps, () => k.stochasticRound(input, ob, bits, SEED, 5, cb)),
  }));
}

function noiseArgs(q) {
  return [SEED, TENSOR, q.scale, q.zeroPoint, q.levels];
}

// Ledger entries in index order (the CUDA kernel appends them with atomics, in any order).
function sortedLedger(index, value, count) {
  const order = Array.from({ length: count }, (_, i) => i).sort((x, y) => index[x] - index[y]);
  const bits = new Uint32Array(value.buffer, value.byteOffset, value.length);
  return order.map((i) => `${index[i]}:${hex(bits[i])}`);
}

function checkPerturb(n, offset, bits, eps, specials, quantizerRange) {
  const q = bits ? quantizerFor(quantizerRange[0], quantizerRange[1], bits) : NO_QUANTIZER;
  const config = `${bits ? `${bits}-bit SR noise` : 'fp noise'}, eps ${eps}, offset ${offset}${specials ? ', specials' : ''}`;
  const orig = mixedParams(n, SEED * 31 + n + offset, specials);
  const hb = (n + 7) >> 3;
  const side = (fill) => ({
    params: orig.slice(),
    hints: new Uint8Array(hb).fill(fill), // garbage: plus must overwrite every hint byte
    index: new Uint32Array(n),
    value: new Float32Array(n),
    count: 0,
  });
  const A = side(0xa5);
  const B = side(0x5a);
  const args = (s) => [s.params, offset, ...noiseArgs(q), eps, s.hints, s.index, s.value];
  check('perturbPlus', config, n, 'parity', (c) => {
    A.count = addon.cpu.perturbPlus(...args(A));
    B.count = other.perturbPlus(...args(B));
    cmpFloats(c, 'params', A.params, B.params);
    cmpInts(c, 'hints', A.hints, B.hints);
    c.compared++;
    if (A.count !== B.count) note(c, `ledger count: cpu ${A.count} vs ${otherName} ${B.count}`);
    else if (
      sortedLedger(A.index, A.value, A.count).join() !== sortedLedger(B.index, B.value, B.count).join()
    )
      note(c, 'ledger entries differ');
    return { ledgerEntries: A.count };
  });
  check('perturbMinus', config, n, 'parity', (c) => {
    addon.cpu.perturbMinus(...args(A), A.count);
    other.perturbMinus(...args(B), B.count);
    cmpFloats(c, 'params', A.params, B.params);
    cmpInts(c, 'hints', A.hints, B.hints);
  });
  check('perturbRestore', config, n, 'parity', (c) => {
    addon.cpu.perturbRestore(...args(A), A.count);
    other.perturbRestore(...args(B), B.count);
    cmpFloats(c, 'params', A.params, B.params);
  });
  // The round trip must give back every original bit, NaN payloads included.
  for (const [name, s] of [
    ['cpu', A],
    [otherName, B],
  ]) {
    check('perturb round trip', `${config}, ${name}`, n, 'roundtrip', (c) => {
      const want = new Uint32Array(orig.buffer);
      const got = new Uint32Array(s.params.buffer);
      for (let i = 0; i < n; i++) {
        c.compared++;
        if (want[i] !== got[i]) note(c, `params[${i}]: original ${hex(want[i])} vs restored ${hex(got[i])}`);
      }
    });
  }
  timing('perturb', config, n, (k) => {
    const s = side(0);
    const plus = [];
    const minus = [];
    const restore = [];
    for (let r = 0; r < opts.reps; r++) {
      let t0 = process.hrtime.bigint();
      s.count = k.perturbPlus(...args(s));
      plus.push(Number(process.hrtime.bigint() - t0));
      t0 = process.hrtime.bigint();
      k.perturbMinus(...args(s), s.count);
      minus.push(Number(process.hrtime.bigint() - t0));
      t0 = process.hrtime.bigint();
      k.perturbRestore(...args(s), s.count);
      restore.push(Number(process.hrtime.bigint() - t0));
    }
    return { perturbPlus: median(plus), perturbMinus: median(minus), perturbRestore: median(restore) };
  });
}

function checkUpdate(n, offset, dirs, bits, wd, rangeOf) {
  const config = `${dirs} dirs ${bits ? `${bits}-bit SR` : 'fp'}, wd ${wd}, offset ${offset}`;
  const r = rng(1000 + n + dirs);
  const seeds = new Uint32Array(dirs);
  const coef = new Float64Array(dirs);
  const scales = new Float64Array(dirs);
  const zeros = new Float64Array(dirs);
  for (let j = 0; j < dirs; j++) {
    seeds[j] = r.u32();
    coef[j] = r.normal() * 0.5;
    if (bits) {
      const q = quantizerFor(...rangeOf(seeds[j]), bits);
      scales[j] = q.scale;
      zeros[j] = q.zeroPoint;
    }
  }
  const levels = bits ? 2 ** bits - 1 : 0;
  const orig = mixedParams(n, 77 + n, false);
  const a = orig.slice();
  const b = orig.slice();
  const call = (k, p) => k.update(p, offset, 1, seeds, coef, scales, zeros, levels, 0.01, wd);
  check('update', config, n, 'parity', (c) => {
    call(addon.cpu, a);
    call(other, b);
    cmpFloats(c, 'params', a, b);
  });
  timing('update', config, n, (k) => ({ update: timeCalls(opts.reps, () => call(k, b)) }));
}

function checkMatmul(m, k, n, bs, zp, rank) {
  const size = k * n;
  const config = `m=${m} k=${k} n=${n} bs=${bs}${zp ? ' zp' : ''}${rank ? ` lora r${rank}` : ''}`;
  const r = rng(500 + m + k + n);
  const blocks = Math.ceil(k / bs);
  const x = normals(m * k, 600 + k, 1);
  const packed = new Uint8Array(n * blocks * (bs / 2));
  for (let i = 0; i < packed.length; i++) packed[i] = r.u32() & 0xff;
  const scales = new Float32Array(n * blocks);
  for (let i = 0; i < scales.length; i++) scales[i] = 0.002 + 0.02 * r.uniform();
  const zeros = zp ? new Uint8Array(n * blocks) : null;
  if (zeros) for (let i = 0; i < zeros.length; i++) zeros[i] = r.u32() % 16;
  const la = rank ? normals(k * rank, 700 + k, 0.05) : null;
  const lb = rank ? normals(rank * n, 800 + n, 0.05) : null;
  const ya = new Float32Array(m * n);
  const yb = new Float32Array(m * n).fill(Number.NaN);
  const call = (kern, out) => kern.matmulInt4(x, m, k, n, bs, packed, scales, zeros, la, lb, rank, 2, out);
  // The GPU sums in float32 in another order than the CPU's float64 sums, so this one kernel is
  // compared within a tolerance: max |diff| <= 1e-5 * max(1, max |cpu output|), the measure of
  // src/native/kernel-agreement.ts (an element-wise relative error is meaningless where outputs
  // cancel to near zero; it is reported as maxRel for information).
  check('matmulInt4', config, size, 'parity (1e-5 rel)', (c) => {
    call(addon.cpu, ya);
    call(other, yb);
    let norm = 0;
    let maxAbs = 0;
    let maxRel = 0;
    for (let i = 0; i < ya.length; i++) {
      norm = Math.max(norm, Math.abs(ya[i]));
      const d = Math.abs(ya[i] - yb[i]);
      maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
      if (ya[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(ya[i]));
    }
    const bound = MATMUL_TOLERANCE * Math.max(1, norm);
    for (let i = 0; i < ya.length; i++) {
      c.compared++;
      const d = Math.abs(ya[i] - yb[i]);
      if (!(d <= bound)) note(c, `out[${i}]: cpu ${ya[i]} vs ${otherName} ${yb[i]} (bound ${bound})`);
    }
    return { maxAbs, normRel: maxAbs / Math.max(1, norm), maxRel };
  });
  timing('matmulInt4', config, size, (kern) => ({ matmulInt4: timeCalls(opts.reps, () => call(kern, yb)) }));
}

// ------------------------------------------------------------------------------------------
// Bad arguments: each must throw the named error class with a message naming the problem, on
// both backends, and leave the caller's buffers untouched.

function expectThrow(name, backendName, fn, errorClass, pattern, untouched = []) {
  const before = untouched.map((t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength).slice());
  const c = {
    kernel: 'bad argument',
    config: `${backendName}: ${name}`,
    size: 0,
    kind: 'error',
    ...newDiff(),
  };
  c.compared = 1;
  try {
    fn();
    note(c, 'did not throw');
  } catch (e) {
    c.thrown = `${e?.constructor?.name}: ${e?.message}`;
    if (!(e instanceof errorClass)) note(c, `threw ${c.thrown}, wanted ${errorClass.name}`);
    else if (!pattern.test(e.message)) note(c, `message "${e.message}" does not match ${pattern}`);
  }
  untouched.forEach((t, i) => {
    const now = new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
    if (!now.every((v, j) => v === before[i][j])) note(c, 'a buffer changed although the call was rejected');
  });
  c.ok = c.mismatches === 0;
  checks.push(c);
  console.log(
    `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.config} -> ${c.thrown ?? 'no error'}${c.first ? ` -- ${c.first}` : ''}`,
  );
}

function checkBadArguments(k, name) {
  const out = new Float32Array(8);
  const p = mixedParams(64, 4, false);
  const h = new Uint8Array(8);
  const li = new Uint32Array(64);
  const lv = new Float32Array(64);
  expectThrow(
    'gaussian out is a Float64Array',
    name,
    () => k.gaussian(new Float64Array(8), 1, 2, 0),
    TypeError,
    /out has the wrong element type/,
  );
  expectThrow(
    'gaussian out is a plain array',
    name,
    () => k.gaussian([0, 0], 1, 2, 0),
    TypeError,
    /out must be a typed array/,
  );
  expectThrow(
    'gaussian offset -1',
    name,
    () => k.gaussian(out, 1, 2, -1),
    RangeError,
    /offset must be (>= 0|an integer in \[0, 2\^53\))/,
    [out],
  );
  expectThrow(
    'gaussian offset NaN',
    name,
    () => k.gaussian(out, 1, 2, Number.NaN),
    RangeError,
    /offset must be (>= 0|an integer in \[0, 2\^53\))/,
    [out],
  );
  expectThrow(
    'gaussian seed is a string',
    name,
    () => k.gaussian(out, '1', 2, 0),
    TypeError,
    /seed must be a number/,
    [out],
  );
  expectThrow('gaussian with no arguments', name, () => k.gaussian(), TypeError, /out must be a typed array/);
  expectThrow(
    'stochasticRound bits 9',
    name,
    () => k.stochasticRound(out, new Float32Array(8), 9, 1, 2, null),
    RangeError,
    /bits must be in 1\.\.8/,
  );
  expectThrow(
    'stochasticRound output shorter than input',
    name,
    () => k.stochasticRound(out, new Float32Array(4), 4, 1, 2, null),
    RangeError,
    /must have the input's length/,
  );
  expectThrow(
    'perturbPlus hints too short',
    name,
    () => k.perturbPlus(p, 0, 1, 2, 0, 0, 0, 1e-3, new Uint8Array(7), li, lv),
    RangeError,
    /hints must hold/,
    [p],
  );
  expectThrow(
    'perturbPlus ledger too short',
    name,
    () => k.perturbPlus(p, 0, 1, 2, 0, 0, 0, 1e-3, h, new Uint32Array(63), lv),
    RangeError,
    /ledger arrays must have room/,
    [p],
  );
  expectThrow(
    'perturbPlus ledgerIndex is an Int32Array',
    name,
    () => k.perturbPlus(p, 0, 1, 2, 0, 0, 0, 1e-3, h, new Int32Array(64), lv),
    TypeError,
    /ledgerIndex has the wrong element type/,
    [p],
  );
  // A ledger entry whose absolute index lies outside [offset, offset + length): the restore of
  // another range's ledger (an out-of-range offset) is refused before anything is written.
  const q = p.slice();
  const count = k.perturbPlus(q, 1000, 1, 2, 0, 0, 0, 1e-3, h, li, lv);
  if (count === 0) li[0] = 1000;
  expectThrow(
    `perturbRestore with offset 0 for a range perturbed at 1000 (${count} ledger entries)`,
    name,
    () => k.perturbRestore(q, 0, 1, 2, 0, 0, 0, 1e-3, h, li, lv, Math.max(count, 1)),
    RangeError,
    /ledger entry outside this range/,
    [q],
  );
  expectThrow(
    'perturbMinus ledgerCount past the ledger arrays',
    name,
    () => k.perturbMinus(q, 1000, 1, 2, 0, 0, 0, 1e-3, h, li, lv, 65),
    RangeError,
    /ledgerCount exceeds the ledger arrays/,
    [q],
  );
  expectThrow(
    'update coefficients shorter than seeds',
    name,
    () =>
      k.update(
        out,
        0,
        1,
        new Uint32Array(2),
        new Float64Array(1),
        new Float64Array(2),
        new Float64Array(2),
        0,
        0.01,
        0,
      ),
    RangeError,
    /one entry per direction/,
    [out],
  );
  const packed = new Uint8Array(4 * 8);
  const scales = new Float32Array(4);
  expectThrow(
    'matmulInt4 blockSize 3',
    name,
    () =>
      k.matmulInt4(
        new Float32Array(16),
        1,
        16,
        4,
        3,
        packed,
        scales,
        null,
        null,
        null,
        0,
        0,
        new Float32Array(4),
      ),
    RangeError,
    /blockSize must be a power of two/,
  );
  expectThrow(
    'matmulInt4 x shorter than m * k',
    name,
    () =>
      k.matmulInt4(
        new Float32Array(15),
        1,
        16,
        4,
        16,
        packed,
        scales,
        null,
        null,
        null,
        0,
        0,
        new Float32Array(4),
      ),
    RangeError,
    /buffer sizes do not match/,
  );
  expectThrow(
    'matmulInt4 LoRA B missing',
    name,
    () =>
      k.matmulInt4(
        new Float32Array(16),
        1,
        16,
        4,
        16,
        packed,
        scales,
        null,
        new Float32Array(16),
        null,
        1,
        1,
        new Float32Array(4),
      ),
    RangeError,
    /LoRA A must be/,
  );
}

// Without a device every cuda.* call on real data must throw a clear Error, not crash.
function checkCudaThrowsWithoutDevice() {
  const k = addon.cuda;
  const f = new Float32Array(16);
  const calls = {
    gaussian: () => k.gaussian(f, 1, 2, 0),
    gaussianRange: () => k.gaussianRange(1, 2, 16),
    stochasticRound: () => k.stochasticRound(f, new Float32Array(16), 4, 1, 2, null),
    perturbPlus: () =>
      k.perturbPlus(f, 0, 1, 2, 0, 0, 0, 1e-3, new Uint8Array(2), new Uint32Array(16), f.slice()),
    update: () =>
      k.update(
        f,
        0,
        1,
        new Uint32Array(1),
        new Float64Array(1),
        new Float64Array(1),
        new Float64Array(1),
        0,
        0.01,
        0,
      ),
    matmulInt4: () =>
      k.matmulInt4(
        f,
        1,
        16,
        1,
        16,
        new Uint8Array(8),
        new Float32Array(1),
        null,
        null,
        null,
        0,
        0,
        new Float32Array(1),
      ),
  };
  for (const [name, fn] of Object.entries(calls)) {
    expectThrow(`${name} without a device`, 'cuda', fn, Error, /^CUDA kernel failed: /, [f]);
  }
}

// ------------------------------------------------------------------------------------------
// Findings: behaviour outside what addon.cc promises, recorded as observed.

// JSON has no Infinity or NaN: write them as strings instead of null.
function jsonNumbers(_key, value) {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function finding(name, fn) {
  let observed;
  try {
    observed = fn();
  } catch (e) {
    observed = { threw: `${e?.constructor?.name}: ${e?.message}` };
  }
  findings.push({ name, ...observed });
  console.log(`  ${name}: ${JSON.stringify(observed, jsonNumbers)}`);
}

function outcome(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, threw: `${e?.constructor?.name}: ${e?.message}` };
  }
}

// Ledger indices are uint32: a range that ends past 2^32 is accepted by perturbPlus, its ledger
// indices wrap, and only the following perturbMinus refuses them (after params were changed).
function perturbPast32(k) {
  const n = 1023;
  const offset = 2 ** 32 - 4;
  const p = mixedParams(n, 11, false);
  const orig = p.slice();
  const h = new Uint8Array(128);
  const li = new Uint32Array(n);
  const lv = new Float32Array(n);
  const plus = outcome(() => k.perturbPlus(p, offset, 1, 2, 0, 0, 0, 1e-3, h, li, lv));
  const changed = p.some((v, i) => !Object.is(v, orig[i]));
  const wrapped = plus.ok ? Array.from(li.subarray(0, plus.value)).filter((g) => g < offset).length : 0;
  const minus = plus.ok
    ? outcome(() => k.perturbMinus(p, offset, 1, 2, 0, 0, 0, 1e-3, h, li, lv, plus.value))
    : null;
  return {
    plus: plus.ok
      ? `accepted, ${plus.value} ledger entries, ${wrapped} of them wrapped below the offset`
      : plus.threw,
    paramsChanged: changed,
    minus: minus ? (minus.ok ? 'accepted' : minus.threw) : null,
  };
}

function checkFindings() {
  for (const [name, k] of gpu
    ? [
        ['cpu', addon.cpu],
        ['cuda', addon.cuda],
      ]
    : [['cpu', addon.cpu]]) {
    finding(`${name}: perturbPlus with offset + length > 2^32`, () => perturbPast32(k));
  }
  finding('gaussian with a non-integer offset 1.5', () => {
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    const r = outcome(() => addon.cpu.gaussian(a, 1, 2, 1.5));
    addon.cpu.gaussian(b, 1, 2, 1);
    return {
      backend: 'cpu',
      result: r.ok ? 'accepted' : r.threw,
      sameAsOffset1: r.ok && a.every((v, i) => v === b[i]),
    };
  });
  // Empty inputs: CPU and CUDA should agree (both succeed, or both refuse).
  const empty = {
    'gaussian length 0': (k) => k.gaussian(new Float32Array(0), 1, 2, 0),
    'gaussianRange length 0': (k) => k.gaussianRange(1, 2, 0),
    'stochasticRound length 0': (k) =>
      k.stochasticRound(new Float32Array(0), new Float32Array(0), 4, 1, 2, null),
    'perturbPlus length 0': (k) =>
      k.perturbPlus(
        new Float32Array(0),
        0,
        1,
        2,
        0,
        0,
        0,
        1e-3,
        new Uint8Array(0),
        new Uint32Array(0),
        new Float32Array(0),
      ),
    'update length 0': (k) =>
      k.update(
        new Float32Array(0),
        0,
        1,
        new Uint32Array(1),
        new Float64Array(1),
        new Float64Array(1),
        new Float64Array(1),
        0,
        0.01,
        0,
      ),
    'matmulInt4 m=0': (k) =>
      k.matmulInt4(
        new Float32Array(0),
        0,
        16,
        2,
        16,
        new Uint8Array(16),
        new Float32Array(2),
        null,
        null,
        null,
        0,
        0,
        new Float32Array(0),
      ),
    'matmulInt4 k=0': (k) => {
      const out = new Float32Array(2).fill(5);
      k.matmulInt4(
        new Float32Array(0),
        1,
        0,
        2,
        16,
        new Uint8Array(0),
        new Float32Array(0),
        null,
        null,
        null,
        0,
        0,
        out,
      );
      return Array.from(out);
    },
  };
  for (const [name, fn] of Object.entries(empty)) {
    finding(name, () => {
      const a = outcome(() => fn(addon.cpu));
      if (!gpu) return { cpu: a.ok ? (a.value ?? 'ok') : a.threw };
      const b = outcome(() => fn(addon.cuda));
      const agree = a.ok === b.ok && JSON.stringify(a.value) === JSON.stringify(b.value);
      return { cpu: a.ok ? (a.value ?? 'ok') : a.threw, cuda: b.ok ? (b.value ?? 'ok') : b.threw, agree };
    });
  }
}

// ------------------------------------------------------------------------------------------
// Run

console.log(`\nsizes ${SIZES.map(sizeLabel).join(', ')}; timing: median of ${opts.reps} calls per backend`);
for (const n of SIZES) {
  console.log(`\n== n = ${sizeLabel(n)} (${elapsedS().toFixed(1)} s)`);
  checkGaussian(n, 1);
  if (n === 1023) {
    checkGaussian(n, 2 ** 32 - 511); // pairs whose high word changes inside the buffer
    checkGaussian(n, 2 ** 40 + 3);
  }
  const range = checkGaussianRange(n) ?? [-5, 5];
  checkStochasticRound(n, 8, true);
  if (n <= 1 << 20) checkStochasticRound(n, 4, false);
  const offset = { 1: 0, 1023: 3, [1 << 20]: 12345, [1 << 24]: 5 }[n];
  checkPerturb(n, offset, 4, 1e-3, true, range);
  if (n === 1023 || n === 1 << 20) checkPerturb(n, 7, 0, 1e-4, false, range);
  // The last range that fits the uint32 ledger indices (ends at 2^32 - 1).
  if (n === 1023) checkPerturb(n, 2 ** 32 - 1 - n, 4, 1e-2, true, range);
  // Direction quantizers from the fastest backend's gaussianRange (bit-equal, checked above).
  const rangeOf = (seed) => other.gaussianRange(seed, 1, n);
  checkUpdate(n, 3, 4, 4, 0.01, rangeOf);
  if (n === 1023) checkUpdate(n, 2 ** 32 + 1, 3, 4, 0, rangeOf);
  if (n <= 1 << 20) checkUpdate(n, 1, 2, 0, 0, rangeOf);
  if (n === 1) checkMatmul(1, 1, 1, 2, false, 0);
  if (n === 1023) checkMatmul(3, 31, 33, 16, true, 3);
  if (n === 1 << 20) checkMatmul(4, 1024, 1024, 32, true, 8);
  if (n === 1 << 24) {
    checkMatmul(1, 4096, 4096, 32, true, 0);
    checkMatmul(16, 4096, 4096, 32, true, 16);
  }
}

console.log(`\n== bad arguments (${elapsedS().toFixed(1)} s)`);
checkBadArguments(addon.cpu, 'cpu');
if (gpu) checkBadArguments(addon.cuda, 'cuda');
else checkCudaThrowsWithoutDevice();

console.log(`\n== findings (recorded; they do not change the exit status)`);
checkFindings();

// After every rejected call and failed launch above, the CUDA context must still work.
console.log('\n== after the errors');
checkGaussian(1023, 1, false);

// ------------------------------------------------------------------------------------------
// Report

function fmtNs(ns) {
  return ns == null ? '-' : (ns / 1e6).toFixed(3);
}

const failed = checks.filter((c) => !c.ok);
const byKernel = new Map();
for (const c of checks) {
  const e = byKernel.get(c.kernel) ?? {
    kernel: c.kernel,
    passed: 0,
    total: 0,
    compared: 0,
    mismatches: 0,
    nanPayload: 0,
    maxAbs: 0,
    normRel: 0,
  };
  e.total++;
  if (c.ok) e.passed++;
  e.compared += c.compared;
  e.mismatches += c.mismatches;
  e.nanPayload += c.nanPayload;
  e.maxAbs = Math.max(e.maxAbs, c.maxAbs || 0);
  e.normRel = Math.max(e.normRel, c.normRel || 0);
  byKernel.set(c.kernel, e);
}

console.log(`\n== summary: cpu vs ${otherName}`);
console.log('| kernel | checks passed | values compared | mismatches | NaN payload only | max abs diff |');
console.log('|---|---|---|---|---|---|');
for (const e of byKernel.values()) {
  console.log(
    `| ${e.kernel} | ${e.passed}/${e.total} | ${e.compared} | ${e.mismatches} | ${e.nanPayload} | ${e.maxAbs} |`,
  );
}
console.log(`\n| kernel | config | size | CPU ms | ${gpu ? 'CUDA ms | CPU / CUDA' : 'CUDA ms | -'} |`);
console.log('|---|---|---|---|---|---|');
for (const t of timings) {
  if (t.skipped)
    console.log(`| ${t.kernel} | ${t.config} | ${sizeLabel(t.size)} | skipped: ${t.skipped} | | |`);
  else
    console.log(
      `| ${t.kernel} | ${t.config} | ${sizeLabel(t.size)} | ${fmtNs(t.cpuNs)} | ${fmtNs(t.cudaNs)} | ${t.cpuOverCuda ? `${t.cpuOverCuda.toFixed(1)}x` : '-'} |`,
    );
}

const result = {
  date: new Date().toISOString(),
  host: os.hostname(),
  hostCpu: os.cpus()[0]?.model ?? null,
  hostThreads: os.cpus().length,
  node: process.version,
  addonPath,
  addonSha256,
  abiVersion: addon.abiVersion,
  cudaCompiled: addon.cudaCompiled,
  probe,
  probeMs,
  mode: gpu ? 'cuda-vs-cpu' : 'cpu-only',
  sizes: SIZES,
  reps: opts.reps,
  budgetS: opts.budgetS,
  seconds: elapsedS(),
  pass: failed.length === 0,
  checksPassed: checks.length - failed.length,
  checksTotal: checks.length,
  kernels: [...byKernel.values()],
  checks,
  findings,
  timings,
};
if (process.env.OUT) {
  mkdirSync(process.env.OUT, { recursive: true });
  const file = join(process.env.OUT, 'cuda-addon.json');
  writeFileSync(file, `${JSON.stringify(result, jsonNumbers, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

const verdict = failed.length === 0 ? 'PASS' : 'FAIL';
console.log(
  `\naddon-gpu-check: ${verdict}: ${result.checksPassed}/${checks.length} checks (${gpu ? `CUDA vs CPU on ${probe.name}` : 'CPU only: no CUDA device, the CUDA kernels were not run'}), ${findings.length} findings, ${elapsedS().toFixed(1)} s`,
);
for (const c of failed.slice(0, 20))
  console.log(`  failed: ${c.kernel} [${c.config}] n=${c.size}: ${c.error || c.first}`);
process.exit(failed.length === 0 ? 0 : 1);
