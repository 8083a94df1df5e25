/**
 * `chimera-quantize`: quantize a model and print a per-layer report (kurtosis of each layer's input
 * before and after rotation, relative output error on calibration inputs, bytes).
 *
 *   chimera-quantize --model outlier-stack [--method kurtail-splitquant] [--activation-bits 4] [--onnx out.onnx]
 *   chimera-quantize --model nano [--method kurtail-rtn] [--out nano-q4.safetensors]
 *   chimera-quantize --weights model.safetensors --plan plan.json [--calibration inputs.safetensors] --out q.safetensors
 *
 * `--plan` is a QuantPlan as JSON ({ "linears": [...], "foldScales": [...], "sites": [...] }); weights
 * are [K, N] (y = x W). `--calibration` holds each linear layer's input rows [T, K] under the
 * layer's name. `runQuantizeCli` is the whole program, so tests drive it without a subprocess.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBaseWeights } from '../nano/base-weights';
import { NanoFeaturizer } from '../nano/featurizer';
import { resolveNanoConfig } from '../nano/nano-config';
import { buildNanoGraph } from '../nano/nano-graph';
import { DEFAULT_NANO_SEED } from '../nano/nano-policy-model';
import { tensorToFloat32 } from '../safetensors/convert';
import { readSafetensors } from '../safetensors/safetensors';
import { nanoSelectionTasks, quantizeNanoBase } from './nano-quant';
import { buildOutlierStackGraph, createOutlierStack, stackCalibration } from './outlier-stack';
import { QuantError } from './quant-error';
import {
  type LayerReport,
  QUANT_METHODS,
  type QuantizedModel,
  type QuantizeModelOptions,
  type QuantMethod,
  type QuantPlan,
  quantizeModel,
  type SiteReport,
  type WeightMap,
} from './quantize-model';
import { writeQuantizedModel } from './quantized-file';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = `usage: chimera-quantize (--model outlier-stack|nano | --weights FILE.safetensors --plan PLAN.json [--calibration FILE.safetensors])
  --method M            ${QUANT_METHODS.join(' | ')} (default kurtail-splitquant)
  --group-size G        rows per scale along K, or "channel" (default 32)
  --symmetric           symmetric 4-bit grids (default asymmetric)
  --activation-bits B   simulate per-token B-bit activations in the report (e.g. 4 for W4A4)
  --kurtail-steps N     Cayley descent steps per rotation (default 40)
  --seed N              seed of Hadamard signs and model generation (default 0)
  --out FILE            write the quantized model as safetensors
  --onnx FILE           write an ONNX model that onnxruntime runs (outlier-stack, and nano with rtn methods)
  --json                print the report as JSON instead of a table
`;

/** Runs the command line; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function runQuantizeCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const method = (values.method ?? 'kurtail-splitquant') as QuantMethod;
  if (!QUANT_METHODS.includes(method)) {
    io.err(`unknown --method ${values.method}; choose one of ${QUANT_METHODS.join(', ')}\n`);
    return 2;
  }
  const sources = [values.model !== undefined, values.weights !== undefined].filter(Boolean).length;
  if (sources !== 1) {
    io.err(`give exactly one of --model or --weights\n${USAGE}`);
    return 2;
  }
  const groupSize =
    values['group-size'] === 'channel' ? 'channel' : values['group-size'] ? Number(values['group-size']) : 32;
  const options: QuantizeModelOptions = {
    method,
    groupSize,
    symmetric: values.symmetric ?? false,
    seed: Number(values.seed ?? 0),
    kurtail: { steps: Number(values['kurtail-steps'] ?? 40) },
    ...(values['activation-bits'] ? { activationBits: Number(values['activation-bits']) } : {}),
  };
  try {
    let result: QuantizedModel;
    let onnx: (() => Uint8Array) | undefined;
    let title: string;
    if (values.model === 'outlier-stack') {
      const stack = createOutlierStack({ seed: Number(values.seed ?? 7) });
      result = quantizeModel(stack.weights, stack.plan, {
        ...options,
        calibration: stackCalibration(stack, stack.train.x.subarray(0, 512 * stack.config.inputDim)),
      });
      onnx = () =>
        buildOutlierStackGraph(stack, {
          quantized: result,
          ...(options.activationBits === undefined ? {} : { activationBits: options.activationBits }),
        });
      title = `synthetic outlier stack (${stack.config.layers} blocks, d=${stack.config.dim}, ${stack.config.outlierChannels} massive channels)`;
    } else if (values.model === 'nano') {
      const config = resolveNanoConfig();
      const base = createBaseWeights(config, DEFAULT_NANO_SEED);
      const calibration = new NanoFeaturizer(config, base).prepare(nanoSelectionTasks(200, 1));
      const quantized = quantizeNanoBase(base, { ...options, calibration });
      result = quantized.model;
      onnx = () => {
        if (!quantized.quantizedBase) {
          throw new QuantError(
            `chimera-nano's graph takes one 4-bit weight per projection; ${method} has three. Use an rtn method for --onnx.`,
          );
        }
        return buildNanoGraph(config, quantized.baseWeights, quantized.quantizedBase);
      };
      title = `chimera-nano base (d=${config.dim})`;
    } else if (values.model !== undefined) {
      io.err(`unknown --model ${values.model}; choose outlier-stack or nano\n`);
      return 2;
    } else {
      if (!values.plan) {
        io.err(`--weights needs --plan PLAN.json (which [K, N] weights to quantize, and rotation sites)\n`);
        return 2;
      }
      const weights = loadWeights(values.weights as string);
      const plan = await loadPlan(values.plan);
      const calibration = values.calibration ? loadCalibration(values.calibration) : undefined;
      result = quantizeModel(weights, plan, { ...options, ...(calibration ? { calibration } : {}) });
      title = values.weights as string;
    }
    if (values.json)
      io.out(
        `${JSON.stringify({ model: title, method, sites: result.sites, layers: result.report }, null, 2)}\n`,
      );
    else io.out(formatReport(title, method, result.report, result.sites));
    if (values.out) {
      await writeFile(values.out, writeQuantizedModel(result, { method }));
      io.out(`wrote ${values.out}\n`);
    }
    if (values.onnx) {
      if (!onnx)
        throw new QuantError(
          '--onnx needs --model: a weights file alone does not say how its layers connect',
        );
      await writeFile(values.onnx, onnx());
      io.out(`wrote ${values.onnx}\n`);
    }
    return 0;
  } catch (error) {
    io.err(`chimera-quantize: ${(error as Error).message}\n`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    options: {
      model: { type: 'string' },
      weights: { type: 'string' },
      plan: { type: 'string' },
      calibration: { type: 'string' },
      method: { type: 'string' },
      'group-size': { type: 'string' },
      symmetric: { type: 'boolean' },
      'activation-bits': { type: 'string' },
      'kurtail-steps': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      onnx: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function loadWeights(path: string): WeightMap {
  const { tensors } = readSafetensors(path);
  const map: WeightMap = new Map();
  for (const [name, t] of tensors) {
    if (['F32', 'F16', 'BF16', 'F64'].includes(t.dtype))
      map.set(name, { shape: t.shape, data: tensorToFloat32(t) });
  }
  return map;
}

function loadCalibration(path: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of readSafetensors(path).tensors) out.set(name, tensorToFloat32(t));
  return out;
}

async function loadPlan(path: string): Promise<QuantPlan> {
  const { readFile } = await import('node:fs/promises');
  let plan: unknown;
  try {
    plan = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new QuantError(`cannot read the plan ${path}: ${(cause as Error).message}`, { cause });
  }
  if (typeof plan !== 'object' || plan === null || !Array.isArray((plan as QuantPlan).linears)) {
    throw new QuantError(`the plan ${path} must be a JSON object with a "linears" array of weight names`);
  }
  return plan as QuantPlan;
}

const fixed = (v: number | undefined, digits: number) =>
  v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);

/** The per-layer report as a plain-text table. */
export function formatReport(
  title: string,
  method: QuantMethod,
  layers: readonly LayerReport[],
  sites: readonly SiteReport[],
): string {
  const lines = [`${title}: ${method}`];
  for (const s of sites) {
    lines.push(
      `  rotation site ${s.site} (d=${s.d}): kurtosis ${fixed(s.kurtosis.original, 2)} original, ${fixed(s.kurtosis.hadamard, 2)} random Hadamard${s.kind === 'kurtail' ? `, ${fixed(s.kurtosis.learned, 2)} learned` : ''}`,
    );
  }
  const header = [
    'layer',
    'K x N',
    'kurtosis before',
    'after',
    'rel. output error',
    'rel. weight error',
    'fp32 bytes',
    '4-bit bytes',
  ];
  const rows = layers.map((r) => [
    r.layer,
    `${r.k} x ${r.n}`,
    fixed(r.kurtosisBefore, 2),
    fixed(r.kurtosisAfter, 2),
    fixed(r.relativeOutputError, 4),
    fixed(r.relativeWeightError, 4),
    String(r.bytesFloat32),
    String(r.bytesQuantized),
  ]);
  const floatBytes = layers.reduce((s, r) => s + r.bytesFloat32, 0);
  const quantizedBytes = layers.reduce((s, r) => s + r.bytesQuantized, 0);
  rows.push(['total', '', '', '', '', '', String(floatBytes), String(quantizedBytes)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format));
  return `${lines.join('\n')}\n`;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
