/**
 * The agent's base model: chimera-nano built from its seed, then (by default) compressed with the
 * hybrid 4-bit pipeline: KurTail rotation of the pooled embedding space, then SplitQuantV2 on every
 * frozen projection, run as MatMulNBits parts by onnxruntime. `--full-precision` keeps float32.
 * Also the memory planner's placements printed at start.
 */
import {
  detectHardware,
  formatPlan,
  NanoPolicyModel,
  planMemory,
  RTX_5090_WORKSTATION,
} from '@chimera/runtime-cuda';
import { nanoSelectionTasks, quantizeNanoBase } from '@chimera/runtime-cuda/quant';

export interface AgentModel {
  model: NanoPolicyModel;
  description: string;
  quantization: 'float32' | 'kurtail-splitquant-4bit';
}

export async function buildModel(options: {
  fullPrecision: boolean;
  seed: number;
  cacheDir: string;
}): Promise<AgentModel> {
  const float = await NanoPolicyModel.create();
  if (options.fullPrecision) {
    return {
      model: float,
      description: `chimera-nano float32 (d=${float.config.dim})`,
      quantization: 'float32',
    };
  }
  // Calibration: typical decisions (goal + candidate links); KurTail learns its rotation from them.
  const tasks = nanoSelectionTasks(64, 7);
  const calibration = float.prepare(tasks.map((t) => ({ context: t.context, candidates: t.candidates })));
  const quantized = quantizeNanoBase(float.baseWeights(), {
    method: 'kurtail-splitquant',
    calibration,
    seed: 7,
  });
  await float.release();
  const model = await NanoPolicyModel.create({
    baseWeights: quantized.baseWeights,
    quantizedBase: quantized.parts,
  });
  const report = quantized.model.report
    .map((l) => `${l.layer} err ${(l.relativeOutputError ?? l.relativeWeightError).toExponential(1)}`)
    .join(', ');
  return {
    model,
    description: `chimera-nano (d=${model.config.dim}), base in 4 bits: KurTail + SplitQuantV2 (${report})`,
    quantization: 'kurtail-splitquant-4bit',
  };
}

/** Where things would sit on the blueprint's workstation, and where they sit here. */
export async function memoryPlanLines(): Promise<string[]> {
  const target = planMemory({
    hardware: RTX_5090_WORKSTATION,
    model: {
      name: 'a 32B function-calling LLM',
      parameters: 32e9,
      bits: 4,
      layers: 64,
      hiddenSize: 5120,
      heads: 40,
      kvHeads: 8,
    },
    adapters: { count: 9, rank: 16, hiddenSize: 5120, layers: 64, targetsPerLayer: 4 },
    mode: 'training-quzo',
  });
  const here = await detectHardware();
  const local = planMemory({
    hardware: here,
    model: {
      name: 'chimera-nano',
      parameters: 8192 * 64 + 3 * 64 * 64,
      bits: 4,
      layers: 1,
      hiddenSize: 64,
      heads: 1,
    },
    adapters: { count: 9, rank: 8, hiddenSize: 64, layers: 1, targetsPerLayer: 2 },
    mode: 'training-quzo',
  });
  return [
    'memory plan, blueprint target (RTX 5090 32 GB, 32B 4-bit base, 9 Selves, QuZO training):',
    ...formatPlan(target)
      .split('\n')
      .map((l) => `  ${l}`),
    'memory plan, this machine (chimera-nano):',
    ...formatPlan(local)
      .split('\n')
      .map((l) => `  ${l}`),
  ];
}
