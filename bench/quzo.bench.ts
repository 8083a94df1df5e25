/**
 * QuZO speed and memory.
 * 1. Steps per second on a synthetic 4-bit MLP with LoRA (forward = two 4-bit matmuls + LoRA on
 *    the same kernel backend), TypeScript kernels vs native CPU kernels; the baseline of each row
 *    is the bound set by the model itself: 1 / (2 forward passes), measured in the same run.
 * 2. Steps per second on chimera-nano (ONNX forward, batch 32 x 8 candidates), same baseline.
 * 3. Peak memory of a QuZO step vs two plain forward passes vs a first-order Adam step, each in a
 *    fresh child process (src/quzo/__fixtures__/memory-probe.ts), on a 4-bit MLP with LoRA and on
 *    a float32 MLP whose every weight is trained.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  candidateCrossEntropy,
  type KernelSet,
  NANO_TRAINING_DEFAULTS,
  type NanoGroup,
  NanoPolicyModel,
  QuZOOptimizer,
  quantizeInt4,
  typescriptKernels,
} from '@chimera/runtime-cuda';
import { loadNativeKernels } from '@chimera/runtime-cuda/native';
import { type BenchRow, median, writeResult } from './lib/report';

const here = dirname(fileURLToPath(import.meta.url));
const native = loadNativeKernels();
const backends: KernelSet[] = native.available ? [typescriptKernels, native.cpu] : [typescriptKernels];
const rows: BenchRow[] = [];

async function timeMs(fn: () => unknown, repeats: number): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

// 1. Synthetic 4-bit MLP 512 -> 2048 -> 512 with LoRA r=8 (41k trainable values), batch 8.
{
  const [dIn, dHidden, dOut, batch, rank] = [512, 2048, 512, 8, 8];
  const seeded = (n: number, seed: number, scale: number) => {
    const a = new Float32Array(n);
    typescriptKernels.gaussian(a, seed, 0, 0);
    return a.map((v) => v * scale);
  };
  const w1 = quantizeInt4(seeded(dIn * dHidden, 1, 1 / Math.sqrt(dIn)), dIn, dHidden);
  const w2 = quantizeInt4(seeded(dHidden * dOut, 2, 1 / Math.sqrt(dHidden)), dHidden, dOut);
  const x = seeded(batch * dIn, 3, 1);
  const target = seeded(batch * dOut, 4, 0.1);
  for (const k of backends) {
    for (const perturbBits of [4, null] as const) {
      const a1 = seeded(dIn * rank, 5, 1 / Math.sqrt(dIn));
      const b1 = new Float32Array(rank * dHidden);
      const a2 = seeded(dHidden * rank, 6, 1 / Math.sqrt(dHidden));
      const b2 = new Float32Array(rank * dOut);
      const hidden = new Float32Array(batch * dHidden);
      const out = new Float32Array(batch * dOut);
      const forward = () => {
        k.matmulInt4(x, batch, w1, { a: a1, b: b1, rank, scale: 2 }, hidden);
        for (let i = 0; i < hidden.length; i++) hidden[i] = Math.tanh(hidden[i]!);
        k.matmulInt4(hidden, batch, w2, { a: a2, b: b2, rank, scale: 2 }, out);
        let l = 0;
        for (let i = 0; i < out.length; i++) l += (out[i]! - target[i]!) ** 2;
        return l / out.length;
      };
      const opt = new QuZOOptimizer({
        params: [a1, b1, a2, b2],
        lr: 1e-3,
        eps: 1e-3,
        perturbBits,
        gradBits: 8,
        directions: 1,
        seed: 1,
        kernels: k,
      });
      const repeats = k.backend === 'typescript' ? 5 : 15;
      await opt.step(forward);
      const stepMs = await timeMs(() => opt.step(forward), repeats);
      const forwardMs = await timeMs(forward, repeats * 2);
      rows.push({
        metric: `${perturbBits === null ? 'MeZO' : 'QuZO 4-bit'} step, 4-bit MLP 512-2048-512 + LoRA r8 (41k trained), batch 8, ${k.backend} kernels`,
        value: 1000 / stepMs,
        unit: 'steps/s',
        baseline: 1000 / (2 * forwardMs),
        baselineName: '1 / (2 forward passes), same kernels',
        better: 'higher',
        note: `step ${stepMs.toFixed(1)} ms, forward ${forwardMs.toFixed(1)} ms`,
      });
      console.log(rows[rows.length - 1]);
    }
  }
}

// 2. chimera-nano: its adapter trained with QuZO, batch 32 contexts x 8 candidates.
{
  const model = await NanoPolicyModel.create();
  const groups: NanoGroup[] = Array.from({ length: NANO_TRAINING_DEFAULTS.batchSize }, (_, i) => ({
    context: {
      goal: `Open the settings page of shop ${i % 7}`,
      self: 'web',
      observation: `page ${i}`,
      history: [],
    },
    candidates: Array.from({ length: 8 }, (_, c) => `click e${c} link "Item ${(i + c) % 11}"`),
  }));
  const batch = model.prepare(groups);
  const labels = groups.map((_, i) => i % 8);
  for (const k of backends) {
    const lora = model.createLora(1);
    const opt = new QuZOOptimizer({
      ...NANO_TRAINING_DEFAULTS,
      params: lora.policyParameters(),
      seed: 3,
      kernels: k,
    });
    const loss = async () => candidateCrossEntropy((await model.score(batch, lora)).logits, labels);
    await opt.step(loss);
    const stepMs = await timeMs(() => opt.step(loss), 30);
    const forwardMs = await timeMs(() => model.score(batch, lora), 60);
    const trained = lora.policyParameters().reduce((s, p) => s + p.length, 0);
    rows.push({
      metric: `QuZO 4-bit step, chimera-nano (${trained} trained values), batch 32 x 8, ${k.backend} kernels`,
      value: 1000 / stepMs,
      unit: 'steps/s',
      baseline: 1000 / (2 * forwardMs),
      baselineName: '1 / (2 forward passes)',
      better: 'higher',
      note: `step ${stepMs.toFixed(1)} ms, forward ${forwardMs.toFixed(1)} ms`,
    });
    console.log(rows[rows.length - 1]);
  }
  await model.release();
}

// 3. Memory, each mode in a fresh process.
function probe(model: string, mode: string, dims: number[]) {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '--conditions=@chimera/source',
      join(here, '..', 'packages', 'runtime-cuda', 'src', 'quzo', '__fixtures__', 'memory-probe.ts'),
      model,
      mode,
      ...dims.map(String),
    ],
    { encoding: 'utf8', cwd: here, maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`probe ${model}/${mode}: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    weightBytes: number;
    trainableBytes: number;
    peakRssBytes: number;
    peakArrayBufferBytes: number;
    scratchBytes: number;
    ledgerEntries: number;
  };
  console.log(model, mode, result);
  return result;
}
const MB = 2 ** 20;
for (const [model, dims, modes] of [
  ['int4-lora', [2048, 16384, 2048, 4, 1], ['forward', 'quzo']],
  ['fp32-full', [1024, 8192, 1024, 16, 1], ['forward', 'quzo', 'adam']],
] as const) {
  const results = Object.fromEntries(modes.map((m) => [m, probe(model, m, [...dims])]));
  const forward = results.forward!;
  const weights = forward.weightBytes / MB;
  const trainable = forward.trainableBytes / MB;
  const modelLabel =
    model === 'int4-lora'
      ? `4-bit MLP ${dims[0]}-${dims[1]}-${dims[2]} + LoRA r8 (${weights.toFixed(1)} MB weights, ${trainable.toFixed(2)} MB trained)`
      : `fp32 MLP ${dims[0]}-${dims[1]}-${dims[2]}, all ${weights.toFixed(0)} MB trained`;
  for (const mode of modes.filter((m) => m !== 'forward')) {
    const r = results[mode]!;
    const weightCount = dims[0] * dims[1] + dims[1] * dims[2];
    const firstOrder =
      model === 'int4-lora'
        ? `computed first-order Adam for this model: full fine-tuning needs fp32 master weights + gradient + 2 moments = 16 B x ${(weightCount / 1e6).toFixed(1)}M weights = ${((16 * weightCount) / MB).toFixed(0)} MB beside the ${weights.toFixed(0)} MB of 4-bit weights; LoRA-only Adam adds 3 x ${trainable.toFixed(2)} MB plus the activations backprop keeps`
        : '';
    rows.push({
      metric: `peak RSS, ${mode === 'quzo' ? 'QuZO 4-bit step' : 'first-order Adam step (backprop)'}, ${modelLabel}`,
      value: r.peakRssBytes / MB,
      unit: 'MB',
      baseline: forward.peakRssBytes / MB,
      baselineName: '2 plain forward passes',
      better: 'lower',
      note: `ArrayBuffer high-water ${(r.peakArrayBufferBytes / MB).toFixed(1)} MB vs ${(forward.peakArrayBufferBytes / MB).toFixed(1)} MB forward (${(((r.peakArrayBufferBytes - forward.peakArrayBufferBytes) / forward.peakArrayBufferBytes) * 100).toFixed(1)}%)${mode === 'quzo' ? `; optimizer scratch ${(r.scratchBytes / MB).toFixed(2)} MB, ledger ${r.ledgerEntries} entries` : ''}${firstOrder ? `; ${firstOrder}` : ''}`,
    });
    console.log(rows[rows.length - 1]);
  }
}

writeResult('quzo', rows);
