/**
 * 4-bit quantization side by side: RTN, SplitQuantV2, KurTail + RTN and KurTail + SplitQuantV2
 * (plus a random-Hadamard rotation as the rotation baseline) on
 *   1. a synthetic pre-norm residual MLP stack with injected massive-activation channels, weight-only
 *      (W4A16, what MatMulNBits at accuracy level 0 computes) and with 4-bit per-token activations (W4A4);
 *   2. chimera-nano's frozen base (W4A16; its graph runs MatMulNBits), default config and with the
 *      lexical features off (so every decision goes through the quantized projections).
 * Relative output error = ||logits_q - logits_fp|| / ||logits_fp|| on held-out inputs (the stack:
 * mean over three seeds), and each layer's own output error on its calibration inputs. Accuracy on
 * the stack is agreement with the float model's top class (its labels are the float model's own
 * decisions); on nano it is the share of selection tasks whose right link scores highest.
 * Then PEQA-style scale fine-tuning with QuZO on the stack (held-out distillation loss).
 * Every number is measured in this run; RTN measured in the same run is the baseline of each row.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidateAccuracy, NanoPolicyModel } from '@chimera/runtime-cuda';
import {
  accuracy,
  createOutlierStack,
  dequantizeLinear,
  distillationLoss,
  linearBytes,
  nanoSelectionTasks,
  type QuantizedModel,
  type QuantMethod,
  quantizeModel,
  quantizeNanoBase,
  relativeError,
  stackCalibration,
  stackForward,
  tuneScales,
} from '@chimera/runtime-cuda/quant';
import { type BenchRow, resultsDir, writeResult } from './lib/report';

const rows: BenchRow[] = [];
const table: string[] = [
  '| model | regime | method | rel. output error (range) | mean per-layer output error | accuracy (range) | 4-bit bytes (vs fp32) |',
  '|---|---|---|---|---|---|---|',
];
const METHODS: QuantMethod[] = [
  'rtn',
  'splitquant',
  'kurtail-rtn',
  'kurtail-splitquant',
  'hadamard-rtn',
  'hadamard-splitquant',
];
const seconds = (t0: number) => (performance.now() - t0) / 1000;

// ---- 1. synthetic outlier stack, three seeds ---------------------------------------------------
// Quantization errors on the rows that read the massive channels are the same for every token, so
// each layer adds a nearly constant shift to the logits; shifts from different layers can cancel or
// add up by chance. One stack is therefore a noisy judge of end-to-end error: the table averages
// three stacks (seeds 7, 8, 9) and also reports the mean per-layer output error, which does not
// depend on such cancellations.
const SEEDS = [7, 8, 9];
const KURTAIL = { steps: 30, maxTokens: 768 };
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const spread = (values: number[]) => `${Math.min(...values).toFixed(3)}-${Math.max(...values).toFixed(3)}`;
interface Measured {
  error: number[];
  accuracy: number[];
  layerError: number[];
  bytes: number;
  seconds: number[];
}
const measured = new Map<string, Measured>();
const record = (
  key: string,
  m: { error: number; accuracy: number; layerError: number; bytes: number; seconds: number },
) => {
  const entry = measured.get(key) ?? { error: [], accuracy: [], layerError: [], bytes: m.bytes, seconds: [] };
  entry.error.push(m.error);
  entry.accuracy.push(m.accuracy);
  entry.layerError.push(m.layerError);
  entry.seconds.push(m.seconds);
  measured.set(key, entry);
};
let stack = createOutlierStack();
let learned = new Map<string, Map<string, Float64Array>>();
const siteKurtosis: {
  residual: number[];
  residualHadamard: number[];
  residualOriginal: number[];
  hidden: number[];
  hiddenHadamard: number[];
} = {
  residual: [],
  residualHadamard: [],
  residualOriginal: [],
  hidden: [],
  hiddenHadamard: [],
};
const fpRotated: number[] = [];
for (const seed of SEEDS) {
  stack = createOutlierStack({ seed });
  const { config } = stack;
  const calibration = stackCalibration(stack, stack.train.x.subarray(0, 512 * config.inputDim));
  const reference = stackForward(config, stack.weights, stack.test.x);
  learned = new Map();
  for (const method of METHODS) {
    const family = method.split('-')[0] as string;
    for (const [regime, bits] of [
      ['W4A16', undefined],
      ['W4A4', 4],
    ] as const) {
      const t0 = performance.now();
      const reuse = method.includes('-') ? learned.get(family) : undefined;
      const model = quantizeModel(stack.weights, stack.plan, {
        method,
        calibration,
        kurtail: KURTAIL,
        ...(reuse ? { rotations: reuse } : {}),
        ...(bits === undefined ? {} : { activationBits: bits }),
      });
      const took = seconds(t0);
      if (method.includes('-') && !reuse) {
        learned.set(family, model.rotations);
        console.log(`seed ${seed}: ${family} rotations in ${took.toFixed(1)} s`);
        if (family === 'kurtail') {
          const residual = model.sites.find((s) => s.site === 'residual');
          const hidden = model.sites.filter((s) => s.site !== 'residual');
          siteKurtosis.residual.push(residual?.kurtosis.learned ?? Number.NaN);
          siteKurtosis.residualHadamard.push(residual?.kurtosis.hadamard ?? Number.NaN);
          siteKurtosis.residualOriginal.push(residual?.kurtosis.original ?? Number.NaN);
          siteKurtosis.hidden.push(mean(hidden.map((s) => s.kurtosis.learned ?? Number.NaN)));
          siteKurtosis.hiddenHadamard.push(mean(hidden.map((s) => s.kurtosis.hadamard ?? Number.NaN)));
          fpRotated.push(
            relativeError(
              stackForward(config, model.weights, stack.test.x, { onlineRotations: model.onlineRotations }),
              reference,
            ),
          );
        }
      }
      const logits = stackForward(config, model.weights, stack.test.x, {
        overrides: new Map([...model.layers].map(([n, l]) => [n, dequantizeLinear(l)])),
        onlineRotations: model.onlineRotations,
        quantizedInputs: new Set(stack.plan.linears),
        ...(bits === undefined ? {} : { activationBits: bits }),
      });
      record(`${regime}|${method}`, {
        error: relativeError(logits, reference),
        accuracy: accuracy(logits, stack.test.labels, config.classes),
        layerError: mean(model.report.map((r) => r.relativeOutputError ?? Number.NaN)),
        bytes: [...model.layers.values()].reduce((s, l) => s + linearBytes(l), 0),
        seconds: took,
      });
    }
  }
}
const floatBytes = stack.plan.linears.reduce((s, n) => s + 4 * (stack.weights.get(n)?.data.length ?? 0), 0);
for (const regime of ['W4A16', 'W4A4']) {
  const rtn = measured.get(`${regime}|rtn`) as Measured;
  for (const method of METHODS) {
    const m = measured.get(`${regime}|${method}`) as Measured;
    rows.push(
      {
        metric: `outlier stack ${regime} ${method}: relative output error (mean of 3 stacks)`,
        value: mean(m.error),
        unit: 'ratio',
        baseline: mean(rtn.error),
        baselineName: 'RTN 4-bit',
        better: 'lower',
        note: `range ${spread(m.error)}`,
      },
      {
        metric: `outlier stack ${regime} ${method}: mean per-layer output error`,
        value: mean(m.layerError),
        unit: 'ratio',
        baseline: mean(rtn.layerError),
        baselineName: 'RTN 4-bit',
        better: 'lower',
      },
      {
        metric: `outlier stack ${regime} ${method}: accuracy (mean of 3 stacks)`,
        value: mean(m.accuracy),
        unit: 'share',
        baseline: mean(rtn.accuracy),
        baselineName: 'RTN 4-bit',
        better: 'higher',
        note: `range ${spread(m.accuracy)}`,
      },
    );
    table.push(
      `| outlier stack | ${regime} | ${method} | ${mean(m.error).toFixed(4)} (${spread(m.error)}) | ${mean(m.layerError).toFixed(4)} | ${mean(m.accuracy).toFixed(3)} (${spread(m.accuracy)}) | ${m.bytes} (${(m.bytes / floatBytes).toFixed(3)}x) |`,
    );
  }
}
rows.push(
  {
    metric: 'residual-stream kurtosis, KurTail rotation (mean of 3 stacks)',
    value: mean(siteKurtosis.residual),
    unit: 'kurtosis',
    baseline: mean(siteKurtosis.residualHadamard),
    baselineName: 'random Hadamard rotation',
    better: 'lower',
    note: `unrotated: ${mean(siteKurtosis.residualOriginal).toFixed(2)}`,
  },
  {
    metric: 'MLP hidden kurtosis, KurTail rotation (mean of blocks and stacks)',
    value: mean(siteKurtosis.hidden),
    unit: 'kurtosis',
    baseline: mean(siteKurtosis.hiddenHadamard),
    baselineName: 'random Hadamard rotation',
    better: 'lower',
  },
  {
    metric: 'rotated float stack vs original (largest relative difference of 3 stacks)',
    value: Math.max(...fpRotated),
    unit: 'ratio',
    better: 'lower',
  },
);

// ---- 2. QuZO scale fine-tuning on the stack (seed 9, the last one built) -------------------------
const { config } = stack;
const classes = config.classes;
const teacherTrain = stackForward(config, stack.weights, stack.train.x);
const teacherTest = stackForward(config, stack.weights, stack.test.x);
for (const method of ['rtn', 'kurtail-splitquant'] as const) {
  const q = quantizeModel(stack.weights, stack.plan, {
    method,
    ...(method === 'rtn' ? {} : { rotations: learned.get('kurtail') }),
  });
  const forward = (x: Float32Array) =>
    stackForward(config, q.weights, x, {
      overrides: new Map([...q.layers].map(([n, l]) => [n, dequantizeLinear(l)])),
      onlineRotations: q.onlineRotations,
    });
  const testLoss = () => distillationLoss(forward(stack.test.x), teacherTest, classes);
  const before = testLoss();
  const accuracyBefore = accuracy(forward(stack.test.x), stack.test.labels, classes);
  const batch = 64;
  const t0 = performance.now();
  const result = await tuneScales(
    [...q.layers.values()],
    (step) => {
      const at = (step * batch) % config.trainTokens;
      return distillationLoss(
        forward(stack.train.x.subarray(at * config.inputDim, (at + batch) * config.inputDim)),
        teacherTrain.subarray(at * classes, (at + batch) * classes),
        classes,
      );
    },
    {
      steps: 300,
      lr: 0.02,
      eps: 0.01,
      seed: 1,
      validationLoss: () =>
        distillationLoss(
          forward(stack.train.x.subarray(0, 512 * config.inputDim)),
          teacherTrain.subarray(0, 512 * classes),
          classes,
        ),
      evalEvery: 25,
    },
  );
  const after = testLoss();
  const accuracyAfter = accuracy(forward(stack.test.x), stack.test.labels, classes);
  rows.push(
    {
      metric: `QuZO scale tuning (${method}, W4A16, ${result.parameters} scales, 200 steps): held-out distillation loss`,
      value: after,
      unit: 'nats',
      baseline: before,
      baselineName: 'before tuning',
      better: 'lower',
      note: `${seconds(t0).toFixed(0)} s`,
    },
    {
      metric: `QuZO scale tuning (${method}, W4A16): accuracy`,
      value: accuracyAfter,
      unit: 'share',
      baseline: accuracyBefore,
      baselineName: 'before tuning',
      better: 'higher',
    },
  );
  table.push(
    `| outlier stack (seed 9) | W4A16 + QuZO scales (200 steps, ${seconds(t0).toFixed(0)} s) | ${method} | distillation KL ${before.toFixed(4)} -> ${after.toFixed(4)} | - | ${accuracyBefore.toFixed(3)} -> ${accuracyAfter.toFixed(3)} | unchanged |`,
  );
}

// ---- 3. chimera-nano --------------------------------------------------------------------------
const flat = (logits: Float32Array[]) => Float32Array.from(logits.flatMap((r) => [...r]));
for (const variant of ['default', 'lexical features off'] as const) {
  const config = variant === 'default' ? {} : { lexicalBase: [0, 0, 0, 0, 0] };
  const fp = await NanoPolicyModel.create({ config });
  const lora = fp.createLora(1);
  const test = nanoSelectionTasks(400, 2);
  const targets = test.map((t) => t.target);
  const fpScores = fp.referenceScore(test, lora).logits;
  const fpAccuracy = candidateAccuracy(fpScores, targets);
  const nanoCalibration = fp.prepare(nanoSelectionTasks(200, 1));
  const results = new Map<
    QuantMethod,
    { error: number; layerError: number; accuracy: number; bytes: number; seconds: number }
  >();
  for (const method of METHODS) {
    const t0 = performance.now();
    const q = quantizeNanoBase(fp.baseWeights(), {
      method,
      calibration: nanoCalibration,
      kurtail: { steps: 40 },
    });
    const took = seconds(t0);
    const model = await NanoPolicyModel.create({ config, baseWeights: q.dequantizedBase });
    const logits = model.referenceScore(test, lora).logits;
    await model.release();
    results.set(method, {
      error: relativeError(flat(logits), flat(fpScores)),
      accuracy: candidateAccuracy(logits, targets),
      layerError: mean(q.model.report.map((r) => r.relativeOutputError ?? Number.NaN)),
      bytes: [...q.model.layers.values()].reduce((s, l) => s + linearBytes(l), 0),
      seconds: took,
    });
  }
  await fp.release();
  const rtn = results.get('rtn') as { error: number; layerError: number; accuracy: number };
  table.push(
    `| chimera-nano (${variant}) | float | - | 0 | 0 | ${fpAccuracy.toFixed(3)} | ${3 * 64 * 64 * 4} (1x) |`,
  );
  for (const [method, r] of results) {
    rows.push(
      {
        metric: `chimera-nano (${variant}) W4A16 ${method}: relative logit error`,
        value: r.error,
        unit: 'ratio',
        baseline: rtn.error,
        baselineName: 'RTN 4-bit',
        better: 'lower',
      },
      {
        metric: `chimera-nano (${variant}) W4A16 ${method}: mean per-layer output error`,
        value: r.layerError,
        unit: 'ratio',
        baseline: rtn.layerError,
        baselineName: 'RTN 4-bit',
        better: 'lower',
      },
      {
        metric: `chimera-nano (${variant}) W4A16 ${method}: task accuracy`,
        value: r.accuracy,
        unit: 'share',
        baseline: rtn.accuracy,
        baselineName: 'RTN 4-bit',
        better: 'higher',
        note: `float: ${fpAccuracy.toFixed(3)}`,
      },
    );
    table.push(
      `| chimera-nano (${variant}) | W4A16 | ${method} | ${r.error.toFixed(4)} | ${r.layerError.toFixed(4)} | ${r.accuracy.toFixed(3)} | ${r.bytes} (${(r.bytes / (3 * 64 * 64 * 4)).toFixed(3)}x) |`,
    );
  }
}

writeResult('quantization', rows);
const comparison = [
  '# quantization: side-by-side comparison',
  '',
  `Synthetic stack: ${config.layers} pre-norm residual MLP blocks, d=${config.dim}, hidden ${config.hidden}, ${config.outlierChannels} massive channels (x${config.outlierScale}), ${config.testTokens} held-out tokens, seeds ${SEEDS.join(', ')} (mean and range); 4-bit groups of 32 along K, asymmetric. Accuracy on the stack = agreement with the float model's top class. Per-layer output error: each quantized layer alone on its calibration inputs.`,
  `chimera-nano: d=64, 400 held-out selection tasks (8 links each).`,
  '',
  ...table,
  '',
];
writeFileSync(join(resultsDir, 'quantization-comparison.md'), comparison.join('\n'));
console.log(comparison.join('\n'));
