import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../safetensors/safetensors';
import { createSession } from '../sessions/model-session';
import { runQuantizeCli } from './cli';
import { createOutlierStack, stackCalibration } from './outlier-stack';
import { readQuantizedModel } from './quantized-file';

const dir = mkdtempSync(join(tmpdir(), 'chimera-quantize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runQuantizeCli(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('chimera-quantize', () => {
  it('quantizes safetensors weights from a plan and prints the per-layer report', async () => {
    const stack = createOutlierStack({
      inputDim: 8,
      dim: 16,
      hidden: 32,
      layers: 1,
      outlierChannels: 1,
      trainTokens: 64,
      testTokens: 8,
    });
    const weights = join(dir, 'model.safetensors');
    const plan = join(dir, 'plan.json');
    const calibration = join(dir, 'calibration.safetensors');
    const out = join(dir, 'model-q4.safetensors');
    writeFileSync(
      weights,
      writeSafetensors(new Map([...stack.weights].map(([n, t]) => [n, { dtype: 'F32' as const, ...t }]))),
    );
    writeFileSync(plan, JSON.stringify(stack.plan));
    const inputs = stackCalibration(stack, stack.train.x);
    writeFileSync(
      calibration,
      writeSafetensors(
        new Map(
          [...inputs].map(([n, x]) => [n, { dtype: 'F32' as const, shape: [64, x.length / 64], data: x }]),
        ),
      ),
    );
    // #region quantize-cli
    // chimera-quantize --weights model.safetensors --plan plan.json --calibration calibration.safetensors \
    //   --method kurtail-splitquant --activation-bits 4 --out model-q4.safetensors
    const run = await cli(
      ...['--weights', weights, '--plan', plan, '--calibration', calibration],
      ...['--method', 'kurtail-splitquant', '--kurtail-steps', '5', '--activation-bits', '4', '--out', out],
    );
    // #endregion
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /rotation site residual \(d=16\): kurtosis [\d.]+ original, [\d.]+ random Hadamard, [\d.]+ learned/,
    );
    expect(run.out).toMatch(/blocks\.0\.up\.weight\s+16 x 32\s+[\d.]+\s+[\d.]+\s+0\.\d{4}/);
    expect(run.out).toMatch(/total\s+4096\s+\d+/);
    expect(readQuantizedModel(out).layers.get('blocks.0.down.weight')?.parts).toHaveLength(3);
  });

  it('quantizes chimera-nano and writes an ONNX model onnxruntime loads', async () => {
    const onnx = join(dir, 'nano.onnx');
    const run = await cli('--model', 'nano', '--method', 'rtn', '--json', '--onnx', onnx);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out.slice(0, run.out.lastIndexOf('}') + 1)) as {
      layers: { layer: string }[];
    };
    expect(report.layers.map((l) => l.layer)).toEqual(['mlp1.weight', 'mlp2.weight', 'out.weight']);
    const session = await createSession(readFileSync(onnx), { executionProvider: 'cpu' });
    expect(session.outputNames).toContain('logits');
    await session.release();
  });

  it('answers bad arguments with a usage error, and explains failures', async () => {
    expect((await cli('--model', 'nano', '--method', 'gptq')).code).toBe(2);
    expect((await cli('--bogus')).code).toBe(2);
    expect((await cli()).err).toMatch(/exactly one of --model or --weights/);
    const missing = await cli('--weights', join(dir, 'nope.safetensors'), '--plan', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read/);
    const split = await cli('--model', 'nano', '--method', 'splitquant', '--onnx', join(dir, 'x.onnx'));
    expect(split.code).toBe(1);
    expect(split.err).toMatch(/one 4-bit weight per projection/);
    expect((await cli('--help')).out).toMatch(/usage: chimera-quantize/);
  });
});
