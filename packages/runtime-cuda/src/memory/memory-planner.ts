/**
 * Where everything goes: given the hardware, a (quantized) model, a library of LoRA adapters and a
 * mode (inference, QuZO training, or first-order Adam training for contrast), place each item on
 * the GPU, in RAM or on disk, say whether it fits, and show the arithmetic line by line.
 *
 * The estimates are first-order and stated in each line: weights and adapters are exact byte
 * counts; the KV cache is exact for the given shape; activation sizes use the standard transformer
 * estimate (Korthikanti et al. 2022, fp16 activations, no fused attention) and are the loosest part.
 */
import { GiB, type HardwareProfile } from './hardware-profile';
import { MemoryPlanError } from './memory-error';

export type PlanMode = 'inference' | 'training-quzo' | 'training-adam';

export interface ModelSpec {
  /** Parameters of the model. */
  parameters: number;
  /** Bits per quantized weight (4 for a 4-bit model; 16 for fp16). */
  bits: number;
  /** Quantization group along K (one fp16 scale + one packed zero point per group). Default 32; ignored at 16 bits. */
  groupSize?: number;
  /** Parameters kept at 16 bits (embeddings, output head). Default 0. */
  unquantizedParameters?: number;
  /** Transformer shape for the KV cache and activations; default the adapters' layers/hiddenSize. */
  layers?: number;
  hiddenSize?: number;
  /** Attention heads (default hiddenSize / 128) and KV heads (default = heads, i.e. no GQA). */
  heads?: number;
  kvHeads?: number;
  name?: string;
}

export interface AdapterSpec {
  /** Adapters in the library (the selves). */
  count: number;
  rank: number;
  /** Width of the adapted projections (each target is taken as hiddenSize x hiddenSize). */
  hiddenSize: number;
  layers: number;
  /** Adapted projections per layer (e.g. 4 for q, k, v, o). */
  targetsPerLayer: number;
  /** Adapters resident on the GPU at once (inference). Default 1 (2 while training: the trained one and the active one). */
  active?: number;
  /** Storage bytes per adapter parameter. Default 2 (fp16). */
  bytesPerParameter?: number;
}

export interface PlanOptions {
  /** Tokens of context held in the KV cache (inference). Default 8192. */
  contextTokens?: number;
  /** Sequences decoded or trained at once. Default 1. */
  batch?: number;
  /** Tokens per training sequence. Default 2048. */
  trainingTokens?: number;
  /** GPU bytes kept for the CUDA context, kernels and allocator slack. Default 1.5 GiB. */
  gpuReserveBytes?: number;
  /** RAM kept for the OS and the rest of the agent (browser, servers). Default 8 GiB. */
  ramReserveBytes?: number;
  /** Adam: store only layer inputs and recompute (default true). */
  activationCheckpointing?: boolean;
  /** May items spill from the GPU to RAM (Adam states, then base layers streamed over PCIe)? Default true. */
  allowOffload?: boolean;
}

export type Tier = 'gpu' | 'ram' | 'disk';

export interface Placement {
  item: string;
  bytes: number;
  where: Tier;
  note?: string;
}

export interface MemoryPlan {
  mode: PlanMode;
  hardware: string;
  placements: Placement[];
  /** Every item placed within the capacity of its tier (disk is unbounded). */
  fits: boolean;
  /** Everything the GPU must hold is on it (no base layers streamed from RAM). */
  gpuResident: boolean;
  gpuBytes: number;
  gpuCapacityBytes: number;
  ramBytes: number;
  ramCapacityBytes: number;
  /** Parameters one adapter has. */
  adapterParameters: number;
  /** The arithmetic, one line per item and total. */
  lines: string[];
}

export interface PlanMemoryInput {
  hardware: HardwareProfile;
  model: ModelSpec;
  adapters: AdapterSpec;
  mode: PlanMode;
  options?: PlanOptions;
}

const fmt = (bytes: number) =>
  bytes > 0 && bytes < GiB / 4 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / GiB).toFixed(2)} GiB`;
const num = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)}e9` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}e6` : `${n}`;

function check(input: PlanMemoryInput): void {
  const { model, adapters, mode } = input;
  if (!['inference', 'training-quzo', 'training-adam'].includes(mode)) {
    throw new MemoryPlanError(
      `mode must be 'inference', 'training-quzo' or 'training-adam', got ${JSON.stringify(mode)}`,
    );
  }
  const positive: [string, number | undefined][] = [
    ['model.parameters', model.parameters],
    ['model.bits', model.bits],
    ['adapters.rank', adapters.rank],
    ['adapters.hiddenSize', adapters.hiddenSize],
    ['adapters.layers', adapters.layers],
    ['adapters.targetsPerLayer', adapters.targetsPerLayer],
  ];
  for (const [name, v] of positive) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new MemoryPlanError(`${name} must be a positive number, got ${v}`);
    }
  }
  if (!Number.isInteger(adapters.count) || adapters.count < 0) {
    throw new MemoryPlanError(`adapters.count must be an integer >= 0, got ${adapters.count}`);
  }
  if (!input.hardware || typeof input.hardware.ramBytes !== 'number') {
    throw new MemoryPlanError(
      'hardware must be a HardwareProfile (detectHardware() or RTX_5090_WORKSTATION)',
    );
  }
}

export function planMemory(input: PlanMemoryInput): MemoryPlan {
  check(input);
  const { hardware, model, adapters, mode } = input;
  const o = input.options ?? {};
  const batch = o.batch ?? 1;
  const contextTokens = o.contextTokens ?? 8192;
  const trainingTokens = o.trainingTokens ?? 2048;
  const allowOffload = o.allowOffload ?? true;
  const layers = model.layers ?? adapters.layers;
  const hidden = model.hiddenSize ?? adapters.hiddenSize;
  const heads = model.heads ?? Math.max(1, Math.round(hidden / 128));
  const kvHeads = model.kvHeads ?? heads;
  const headDim = hidden / heads;
  const lines: string[] = [];
  const required: Placement[] = [];
  const offloadable: Placement[] = [];
  const ramOnly: Placement[] = [];

  // Base weights: packed codes plus per-group metadata (fp16 scale + 4-bit zero point = 2.5 bytes).
  const unquantized = model.unquantizedParameters ?? 0;
  const quantizedParams = model.parameters - unquantized;
  const codes = (quantizedParams * model.bits) / 8;
  const group = model.groupSize ?? 32;
  const metadata = model.bits < 16 ? (quantizedParams / group) * 2.5 : 0;
  const base = codes + metadata + unquantized * 2;
  lines.push(
    `base weights: ${num(quantizedParams)} params x ${model.bits} bit / 8 = ${fmt(codes)}` +
      (metadata
        ? ` + ${num(quantizedParams)} / ${group} groups x 2.5 B (fp16 scale + 4-bit zero) = ${fmt(metadata)}`
        : '') +
      (unquantized ? ` + ${num(unquantized)} unquantized x 2 B = ${fmt(unquantized * 2)}` : '') +
      ` -> ${fmt(base)}`,
  );
  required.push({ item: 'base weights', bytes: base, where: 'gpu' });

  // Adapters.
  const perAdapterParams =
    adapters.layers * adapters.targetsPerLayer * 2 * adapters.rank * adapters.hiddenSize;
  const adapterBytesPer = adapters.bytesPerParameter ?? 2;
  const perAdapter = perAdapterParams * adapterBytesPer;
  lines.push(
    `one adapter: ${adapters.layers} layers x ${adapters.targetsPerLayer} targets x 2 x rank ${adapters.rank} x ${adapters.hiddenSize} = ${num(perAdapterParams)} params x ${adapterBytesPer} B = ${fmt(perAdapter)}`,
  );
  const training = mode !== 'inference';
  const active = Math.min(adapters.count, adapters.active ?? (training ? 2 : 1));
  if (active > 0) {
    lines.push(`active adapters on GPU: ${active} x ${fmt(perAdapter)} = ${fmt(active * perAdapter)}`);
    required.push({ item: `active adapters (${active})`, bytes: active * perAdapter, where: 'gpu' });
  }
  const library = adapters.count * perAdapter;
  lines.push(`adapter library in RAM: ${adapters.count} x ${fmt(perAdapter)} = ${fmt(library)}`);
  ramOnly.push({ item: `adapter library (${adapters.count})`, bytes: library, where: 'ram' });

  const reserve = o.gpuReserveBytes ?? 1.5 * GiB;
  lines.push(`CUDA context, kernels, allocator slack: ${fmt(reserve)}`);
  required.push({ item: 'CUDA reserve', bytes: reserve, where: 'gpu' });

  // A forward pass keeps one layer's intermediates at a time: ~20 hidden-widths of fp16 per token
  // (attention projections and scores in chunks, the MLP's gate/up/down at ~5.4 x hidden).
  const forwardTokens = training ? trainingTokens : Math.min(contextTokens, 2048);
  const forward = batch * forwardTokens * hidden * 2 * 20;
  if (mode === 'inference') {
    const kvPerToken = 2 * layers * kvHeads * headDim * 2;
    const kv = kvPerToken * contextTokens * batch;
    lines.push(
      `KV cache: 2 (K,V) x ${layers} layers x ${kvHeads} kv heads x ${headDim} dims x 2 B = ${(kvPerToken / 1024).toFixed(0)} KiB/token x ${contextTokens} tokens x batch ${batch} = ${fmt(kv)}`,
    );
    required.push({ item: 'KV cache', bytes: kv, where: 'gpu' });
    lines.push(
      `activations (prefill chunk): batch ${batch} x ${forwardTokens} tokens x ${hidden} x 2 B x ~20 = ${fmt(forward)}`,
    );
    required.push({ item: 'activations', bytes: forward, where: 'gpu' });
  } else {
    const trained = perAdapterParams;
    if (mode === 'training-quzo') {
      const master = trained * 4;
      // Exact restore after a perturbation: one hint bit per parameter plus a sparse ledger
      // (index + value) of about 1% of the elements (see quzo/in-place-perturbation.ts).
      const restore = trained / 8 + trained * 0.01 * 8;
      lines.push(
        `QuZO trainable adapter (fp32, perturbed in place): ${num(trained)} x 4 B = ${fmt(master)}; restore state: 1 bit/param + ~1% x 8 B ledger = ${fmt(restore)}; no gradients, no optimizer state`,
      );
      required.push({
        item: 'trainable adapter fp32 + restore state',
        bytes: master + restore,
        where: 'gpu',
      });
      lines.push(
        `activations (forward only, one layer live): batch ${batch} x ${trainingTokens} tokens x ${hidden} x 2 B x ~20 = ${fmt(forward)}`,
      );
      required.push({ item: 'activations (forward)', bytes: forward, where: 'gpu' });
    } else {
      const paramsAndGrads = trained * 8;
      const adamStates = trained * 8;
      lines.push(
        `Adam trainable adapter fp32 + gradients: ${num(trained)} x (4 + 4) B = ${fmt(paramsAndGrads)}`,
      );
      required.push({ item: 'trainable adapter fp32 + gradients', bytes: paramsAndGrads, where: 'gpu' });
      lines.push(`Adam moments m, v (fp32): ${num(trained)} x 8 B = ${fmt(adamStates)}`);
      offloadable.push({ item: 'Adam moments (m, v)', bytes: adamStates, where: 'gpu' });
      const perLayerFull = batch * trainingTokens * hidden * (34 + (5 * heads * trainingTokens) / hidden);
      const checkpointing = o.activationCheckpointing ?? true;
      const stored = checkpointing
        ? layers * batch * trainingTokens * hidden * 2 + perLayerFull
        : layers * perLayerFull;
      lines.push(
        `backprop activations: per layer s*b*h*(34 + 5*a*s/h) = ${trainingTokens}*${batch}*${hidden}*(34 + 5*${heads}*${trainingTokens}/${hidden}) B = ${fmt(perLayerFull)}; ` +
          (checkpointing
            ? `checkpointing: ${layers} layer inputs x s*b*h*2 B + one layer recomputed = ${fmt(stored)}`
            : `all ${layers} layers stored = ${fmt(stored)}`),
      );
      required.push({ item: 'activations (stored for backprop)', bytes: stored, where: 'gpu' });
    }
  }

  // Place: required items on the GPU; then offloadable ones if room remains, else RAM.
  const gpuCapacity = hardware.gpus[0]?.memoryBytes ?? 0;
  const ramCapacity = Math.max(0, hardware.ramBytes - (o.ramReserveBytes ?? 8 * GiB));
  const placements: Placement[] = [];
  let gpu = 0;
  let ram = 0;
  let gpuResident = true;
  const baseItem = required[0]!;
  const others = required.slice(1);
  for (const p of others) {
    if (gpuCapacity === 0) {
      placements.push({ ...p, where: 'ram', note: 'no GPU: runs on CPU from RAM' });
      ram += p.bytes;
    } else {
      placements.push(p);
      gpu += p.bytes;
    }
  }
  if (gpuCapacity === 0) {
    placements.unshift({ ...baseItem, where: 'ram', note: 'no GPU: runs on CPU from RAM' });
    ram += baseItem.bytes;
  } else if (gpu + baseItem.bytes <= gpuCapacity || !allowOffload) {
    placements.unshift(baseItem);
    gpu += baseItem.bytes;
  } else {
    // Base layers that do not fit are streamed from RAM on every forward pass.
    const onGpu = Math.max(0, gpuCapacity - gpu);
    placements.unshift(
      { item: 'base weights (resident part)', bytes: onGpu, where: 'gpu' },
      {
        item: 'base weights (streamed part)',
        bytes: baseItem.bytes - onGpu,
        where: 'ram',
        note: 'streamed over PCIe every forward pass',
      },
    );
    gpu += onGpu;
    ram += baseItem.bytes - onGpu;
    gpuResident = false;
  }
  for (const p of offloadable) {
    if (gpuCapacity > 0 && gpu + p.bytes <= gpuCapacity) {
      placements.push(p);
      gpu += p.bytes;
    } else if (allowOffload || gpuCapacity === 0) {
      placements.push({ ...p, where: 'ram', note: 'offloaded: updated on the CPU or paged per step' });
      ram += p.bytes;
    } else {
      placements.push(p);
      gpu += p.bytes;
    }
  }
  for (const p of ramOnly) {
    if (ram + p.bytes <= ramCapacity) {
      placements.push(p);
      ram += p.bytes;
    } else {
      placements.push({ ...p, where: 'disk', note: 'RAM is full: loaded from disk on demand' });
    }
  }
  const fits = (gpuCapacity === 0 || gpu <= gpuCapacity) && ram <= ramCapacity;
  const gpuName = hardware.gpus[0]?.name ?? 'no GPU';
  lines.push(
    `GPU (${gpuName}): ${fmt(gpu)} of ${fmt(gpuCapacity)}` +
      (gpuCapacity
        ? ` (${((100 * gpu) / gpuCapacity).toFixed(1)}%, ${gpu <= gpuCapacity ? `${fmt(gpuCapacity - gpu)} free` : `over by ${fmt(gpu - gpuCapacity)}`})`
        : ''),
  );
  lines.push(
    `RAM: ${fmt(ram)} of ${fmt(ramCapacity)} usable (${fmt(hardware.ramBytes)} minus ${fmt(o.ramReserveBytes ?? 8 * GiB)} reserved)`,
  );
  const bandwidth = hardware.gpus[0]?.bandwidthBytesPerSecond;
  if (mode === 'inference' && bandwidth && gpuResident) {
    const perToken = base + perAdapter;
    lines.push(
      `decode bound: every token reads the weights once: ${(bandwidth / 1e12).toFixed(2)} TB/s / ${fmt(perToken)} = ${(bandwidth / perToken).toFixed(0)} tokens/s at most (batch 1)`,
    );
  }
  const pcie = hardware.hostToDeviceBytesPerSecond;
  if (pcie && active > 0) {
    lines.push(
      `adapter swap RAM -> GPU: ${fmt(perAdapter)} / ${(pcie / 1e9).toFixed(0)} GB/s = ${((1000 * perAdapter) / pcie).toFixed(1)} ms`,
    );
  }
  if (!gpuResident && pcie) {
    const streamed = placements
      .filter((p) => p.item === 'base weights (streamed part)')
      .reduce((s, p) => s + p.bytes, 0);
    lines.push(
      `streaming ${fmt(streamed)} of base layers per forward pass at ${(pcie / 1e9).toFixed(0)} GB/s = ${((1000 * streamed) / pcie).toFixed(0)} ms per pass`,
    );
  }
  lines.push(
    fits ? (gpuResident ? 'fits: yes' : 'fits: yes, with base layers streamed from RAM (slow)') : 'fits: NO',
  );
  return {
    mode,
    hardware: hardware.name,
    placements,
    fits,
    gpuResident,
    gpuBytes: gpu,
    gpuCapacityBytes: gpuCapacity,
    ramBytes: ram,
    ramCapacityBytes: ramCapacity,
    adapterParameters: perAdapterParams,
    lines,
  };
}

/** The plan as readable text: placements table, then the arithmetic. */
export function formatPlan(plan: MemoryPlan): string {
  const width = Math.max(...plan.placements.map((p) => p.item.length), 4);
  const rows = plan.placements.map(
    (p) =>
      `  ${p.item.padEnd(width)}  ${fmt(p.bytes).padStart(11)}  ${p.where}${p.note ? `  (${p.note})` : ''}`,
  );
  return [
    `memory plan: ${plan.mode} on ${plan.hardware} -> ${plan.fits ? 'fits' : 'does NOT fit'}`,
    ...rows,
    'arithmetic:',
    ...plan.lines.map((l) => `  ${l}`),
  ].join('\n');
}
