/**
 * What the machine offers: GPUs (name, memory, bandwidth where known) and RAM. Detection asks
 * `nvidia-smi` when it exists and never fails without it: a machine with no GPU is a profile with
 * no GPUs. The blueprint's target workstation ships as a preset for planning without the hardware.
 */
import { execFile } from 'node:child_process';
import { cpus, freemem, totalmem } from 'node:os';

export const GiB = 1024 ** 3;
export const GB = 1e9;

export interface GpuInfo {
  name: string;
  /** Total device memory in bytes. */
  memoryBytes: number;
  /** Free device memory in bytes when detected. */
  freeBytes?: number;
  /** Peak memory bandwidth in bytes per second, from a table of known cards (nvidia-smi does not report it). */
  bandwidthBytesPerSecond?: number;
  computeCapability?: string;
  driverVersion?: string;
}

export interface HardwareProfile {
  /** e.g. `detected` or `RTX 5090 workstation`. */
  name: string;
  gpus: GpuInfo[];
  ramBytes: number;
  freeRamBytes?: number;
  cpuModel?: string;
  cpuCores?: number;
  /** Host-to-device bandwidth in bytes per second (PCIe), when known. */
  hostToDeviceBytesPerSecond?: number;
  /** Where the numbers came from and what is assumed. */
  notes: string[];
}

/**
 * The blueprint's target: one RTX 5090 (32 GB GDDR7 on a 512-bit bus, 1.79 TB/s) on PCIe 5.0 x16,
 * with 64 GB RAM (the blueprint's minimum; `withRam(RTX_5090_WORKSTATION, 128 * GiB)` for the
 * recommended 128 GB).
 */
export const RTX_5090_WORKSTATION: Readonly<HardwareProfile> = Object.freeze({
  name: 'RTX 5090 workstation',
  gpus: [
    {
      name: 'NVIDIA GeForce RTX 5090',
      memoryBytes: 32 * GiB,
      bandwidthBytesPerSecond: 1.79e12,
      computeCapability: '12.0',
    },
  ],
  ramBytes: 64 * GiB,
  cpuCores: 16,
  hostToDeviceBytesPerSecond: 64e9 / 2,
  notes: [
    'preset from the blueprint: RTX 5090, 32 GB GDDR7, 512-bit, 1.79 TB/s; RAM 64 GB minimum, 128 GB recommended',
    'PCIe 5.0 x16: 64 GB/s both directions together, taken as 32 GB/s host to device',
  ],
});

/** A copy of `profile` with a different amount of RAM. */
export function withRam(profile: HardwareProfile, ramBytes: number): HardwareProfile {
  return {
    ...profile,
    gpus: profile.gpus.map((g) => ({ ...g })),
    ramBytes,
    notes: [...profile.notes, `RAM set to ${(ramBytes / GiB).toFixed(0)} GiB`],
  };
}

/** Peak bandwidths (bytes/s) of cards nvidia-smi may name; matched by substring, most specific first. */
const KNOWN_BANDWIDTH: readonly [RegExp, number][] = [
  [/RTX 5090/i, 1.79e12],
  [/RTX 5080/i, 0.96e12],
  [/RTX 4090/i, 1.008e12],
  [/RTX 3090/i, 0.936e12],
  [/H200/i, 4.8e12],
  [/H100.*(SXM|HBM3)/i, 3.35e12],
  [/H100.*NVL/i, 3.9e12],
  [/H100/i, 2.0e12],
  [/A100.*80/i, 2.039e12],
  [/A100/i, 1.555e12],
  [/L40S/i, 0.864e12],
  [/RTX 6000 Ada/i, 0.96e12],
  [/RTX PRO 6000/i, 1.79e12],
];

export function knownBandwidth(gpuName: string): number | undefined {
  return KNOWN_BANDWIDTH.find(([re]) => re.test(gpuName))?.[1];
}

const QUERY = 'name,memory.total,memory.free,driver_version,compute_cap';

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version,compute_cap
 * --format=csv,noheader,nounits` output (memory in MiB). Lines that do not parse are skipped.
 */
export function parseNvidiaSmiCsv(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split('\n')) {
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 2 || !cols[0]) continue;
    const total = Number(cols[1]);
    if (!Number.isFinite(total) || total <= 0) continue;
    const gpu: GpuInfo = { name: cols[0], memoryBytes: total * 1024 ** 2 };
    const free = Number(cols[2]);
    if (cols[2] && Number.isFinite(free)) gpu.freeBytes = free * 1024 ** 2;
    if (cols[3] && !/N\/A|not supported/i.test(cols[3])) gpu.driverVersion = cols[3];
    if (cols[4] && /^\d+\.\d+$/.test(cols[4])) gpu.computeCapability = cols[4];
    const bandwidth = knownBandwidth(cols[0]);
    if (bandwidth !== undefined) gpu.bandwidthBytesPerSecond = bandwidth;
    gpus.push(gpu);
  }
  return gpus;
}

export interface DetectHardwareOptions {
  /** Runs nvidia-smi and returns its stdout, or undefined when it is absent/failed. Replaceable for tests. */
  nvidiaSmi?: (args: string[]) => Promise<string | undefined>;
  /** Milliseconds to wait for nvidia-smi. Default 5000. */
  timeoutMs?: number;
}

function runNvidiaSmi(timeoutMs: number): (args: string[]) => Promise<string | undefined> {
  return (args) =>
    new Promise((resolve) => {
      try {
        execFile('nvidia-smi', args, { timeout: timeoutMs, windowsHide: true }, (error, stdout) =>
          resolve(error ? undefined : stdout),
        );
      } catch {
        resolve(undefined);
      }
    });
}

/** Detects GPUs (through nvidia-smi when present) and RAM. Never throws for missing tools. */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<HardwareProfile> {
  const smi = options.nvidiaSmi ?? runNvidiaSmi(options.timeoutMs ?? 5000);
  const notes: string[] = [];
  let gpus: GpuInfo[] = [];
  let out: string | undefined;
  try {
    out = await smi([`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits']);
  } catch {
    out = undefined;
  }
  if (out === undefined) {
    notes.push('no GPU found: nvidia-smi is absent or failed');
  } else {
    gpus = parseNvidiaSmiCsv(out);
    notes.push(`nvidia-smi reported ${gpus.length} GPU(s)`);
    for (const g of gpus) {
      if (g.bandwidthBytesPerSecond === undefined)
        notes.push(`bandwidth of ${g.name} unknown (not in the table)`);
    }
  }
  const cpuList = cpus();
  return {
    name: 'detected',
    gpus,
    ramBytes: totalmem(),
    freeRamBytes: freemem(),
    ...(cpuList[0] ? { cpuModel: cpuList[0].model } : {}),
    cpuCores: cpuList.length,
    notes,
  };
}
