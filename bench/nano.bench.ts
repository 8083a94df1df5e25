/**
 * chimera-nano speed: forward passes of the ONNX session against the plain TypeScript reference
 * forward (the in-run baseline), for one agent decision and for a training batch, plus the
 * end-to-end decision latency (featurizing a new observation, candidates cached) and the cost of
 * one zeroth-order step (two forward passes of a batch).
 */
import { type NanoGroup, NanoPolicyModel, quantizeMatMulNBitsRtn } from '@chimera/runtime-cuda';
import { type BenchRow, timeNsPerOp, timeNsPerOpAsync, writeResult } from './lib/report';

const ms = (ns: number) => ns / 1e6;

function decision(step: number, candidates: number): NanoGroup {
  return {
    context: {
      goal: 'Buy the blue kettle and confirm the order on the Nordwind shop',
      self: 'web-shopper',
      // A new observation every step: its featurization is part of the decision's cost.
      observation: `Nordwind checkout step ${step}: cart has blue kettle (1), total 39.90 EUR. Buttons: ${Array.from(
        { length: candidates },
        (_, i) => `e${i} "Option ${i}"`,
      ).join(', ')}`,
      history: [
        'click e3 link "Kettles"',
        'click e7 button "Add to cart"',
        `click e9 link "Checkout" #${step % 5}`,
      ],
    },
    candidates: Array.from({ length: candidates }, (_, i) =>
      i === 0 ? 'click e1 button "Bestätigen"' : `click e${i + 1} button "Option ${i}"`,
    ),
  };
}

const model = await NanoPolicyModel.create();
const lora = model.createLora(1);
for (const p of lora.parameters()) for (let i = 0; i < p.length; i++) p[i]! += Math.sin(i) * 0.05;

const rows: BenchRow[] = [];

// 1. One decision: 1 context x 20 candidates, prepared (model time only).
const single = model.prepare([decision(0, 20)]);
const onnxSingle = await timeNsPerOpAsync(() => model.score(single, lora), 2000);
const refSingle = timeNsPerOp(() => model.referenceScore(single, lora), 300);
rows.push({
  metric: 'forward, 1 context x 20 candidates (featurized)',
  value: 1e9 / onnxSingle,
  unit: 'passes/s',
  baseline: 1e9 / refSingle,
  baselineName: 'TypeScript reference forward',
  better: 'higher',
});

// 2. A training batch: 32 contexts x 8 candidates.
const batch32 = model.prepare(Array.from({ length: 32 }, (_, i) => decision(i, 8)));
const onnxBatch = await timeNsPerOpAsync(() => model.score(batch32, lora), 500);
const refBatch = timeNsPerOp(() => model.referenceScore(batch32, lora), 20);
rows.push({
  metric: 'forward, 32 contexts x 8 candidates (featurized)',
  value: 1e9 / onnxBatch,
  unit: 'passes/s',
  baseline: 1e9 / refBatch,
  baselineName: 'TypeScript reference forward',
  better: 'higher',
});
rows.push({
  metric: 'candidates scored per second, batch 32 x 8',
  value: (256 * 1e9) / onnxBatch,
  unit: 'candidates/s',
  baseline: (256 * 1e9) / refBatch,
  baselineName: 'TypeScript reference forward',
  better: 'higher',
});

// 3. End to end decision: featurize a new observation (candidates and goal cached) + score.
let step = 0;
const e2e = await timeNsPerOpAsync(() => model.score([decision(++step, 20)], lora), 1000);
let refStep = 1e6;
const e2eRef = timeNsPerOp(() => model.referenceScore([decision(++refStep, 20)], lora), 300);
rows.push({
  metric: 'decision latency, new observation, 20 candidates (featurize + score)',
  value: ms(e2e),
  unit: 'ms',
  baseline: ms(e2eRef),
  baselineName: 'same with the TypeScript reference forward',
  target: 5,
  better: 'lower',
  note: 'target: a few ms per agent decision',
});

// 4. One zeroth-order step's model work: two forward passes over a prepared batch of 32 x 8.
rows.push({
  metric: 'ZO step model time (2 forward passes, batch 32 x 8)',
  value: ms(2 * onnxBatch),
  unit: 'ms',
  baseline: ms(2 * refBatch),
  baselineName: 'TypeScript reference forward',
  better: 'lower',
});

// 5. 4-bit MatMulNBits base projections (d = 64: too small for 4-bit to pay off; shown for completeness).
const w = model.baseWeights();
const q4 = await NanoPolicyModel.create({
  quantizedBase: {
    mlp1: quantizeMatMulNBitsRtn(w.mlp1.data, 64, 64),
    mlp2: quantizeMatMulNBitsRtn(w.mlp2.data, 64, 64),
    out: quantizeMatMulNBitsRtn(w.out.data, 64, 64),
  },
});
const q4Batch = await timeNsPerOpAsync(() => q4.score(batch32, lora), 500);
rows.push({
  metric: 'forward, 32 x 8, 4-bit MatMulNBits base',
  value: 1e9 / q4Batch,
  unit: 'passes/s',
  baseline: 1e9 / onnxBatch,
  baselineName: 'float32 base (same session type)',
  better: 'higher',
});

writeResult('nano', rows);
await Promise.all([model.release(), q4.release()]);
