/**
 * Finds and loads the optional native addon (native/build/Release/chimera_kernels.node) and
 * describes what this machine offers: native CPU kernels, CUDA kernels and the device, or why
 * not. Loading never throws and never takes the process down: a missing addon, a binary built
 * for another Node ABI, or a machine without a GPU or driver all end in a `reason` and the
 * TypeScript kernels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelSet } from '../kernels/kernel-set';
import { typescriptKernels } from '../kernels/typescript-kernels';
import { type AddonKernelFunctions, wrapAddonKernels } from './native-kernels';

export interface NativeDevice {
  name: string;
  /** e.g. "9.0" for H100/H200, "12.0" for RTX 5090. */
  computeCapability: string;
  totalMemoryBytes: number;
  /** CUDA runtime version the addon was built with (e.g. 13000). */
  runtimeVersion: number;
  driverVersion: number;
}

export interface NativeKernels {
  /** True when the native addon loaded (its CPU kernels are then in `cpu`). */
  available: boolean;
  /** Why the addon, or CUDA, is not available; absent when everything is. */
  reason?: string;
  /** Native CPU kernels when available, else the TypeScript kernels. */
  cpu: KernelSet;
  /** CUDA kernels, present only when a usable device was found. */
  cuda?: KernelSet;
  device?: NativeDevice;
  /** Path of the addon that was loaded, or that was looked for. */
  addonPath?: string;
}

interface AddonModule {
  abiVersion: number;
  cudaCompiled: boolean;
  cudaProbe(): {
    available: boolean;
    reason: string;
    name: string;
    computeCapability: string;
    totalMemory: number;
    runtimeVersion: number;
    driverVersion: number;
  };
  cpu: AddonKernelFunctions;
  cuda: AddonKernelFunctions;
}

const ADDON_ABI = 2;

/** The package root: the nearest ancestor of this module holding native/binding.gyp. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

function buildNote(root: string): string {
  try {
    const info = JSON.parse(readFileSync(join(root, 'native', 'build', 'build-info.json'), 'utf8')) as {
      built?: boolean;
      reason?: string;
    };
    return info.reason ? ` (last build: ${info.reason})` : '';
  } catch {
    return ' (no build was attempted: run `pnpm --filter @chimera/runtime-cuda build`)';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

let cached: NativeKernels | undefined;

/**
 * Loads the addon once per process (later calls return the same result). `addonPath` (or the
 * CHIMERA_NATIVE_ADDON variable) overrides where it is looked for; CHIMERA_NATIVE=0 disables the
 * default lookup (an explicit `addonPath` is still honoured).
 */
export function loadNativeKernels(options: { addonPath?: string; reload?: boolean } = {}): NativeKernels {
  if (cached && !options.reload && !options.addonPath) return cached;
  const result = load(options.addonPath ?? process.env.CHIMERA_NATIVE_ADDON, options.addonPath !== undefined);
  if (!options.addonPath) cached = result;
  return result;
}

function load(explicitPath: string | undefined, explicitRequest: boolean): NativeKernels {
  if (process.env.CHIMERA_NATIVE === '0' && !explicitRequest) {
    return {
      available: false,
      reason: 'native kernels disabled by CHIMERA_NATIVE=0',
      cpu: typescriptKernels,
    };
  }
  const root = packageRoot();
  const addonPath =
    explicitPath ?? (root ? join(root, 'native', 'build', 'Release', 'chimera_kernels.node') : undefined);
  if (!addonPath || !existsSync(addonPath)) {
    return {
      available: false,
      reason: `native addon not built${addonPath ? ` (looked for ${addonPath})` : ''}${root ? buildNote(root) : ''}`,
      cpu: typescriptKernels,
      ...(addonPath ? { addonPath } : {}),
    };
  }
  let addon: AddonModule;
  try {
    addon = createRequire(import.meta.url)(addonPath) as AddonModule;
  } catch (error) {
    return {
      available: false,
      reason: `native addon failed to load: ${describe(error)}; rebuild it with \`pnpm --filter @chimera/runtime-cuda build\``,
      cpu: typescriptKernels,
      addonPath,
    };
  }
  if (addon.abiVersion !== ADDON_ABI) {
    return {
      available: false,
      reason: `native addon has interface version ${addon.abiVersion}, this package needs ${ADDON_ABI}: rebuild it`,
      cpu: typescriptKernels,
      addonPath,
    };
  }
  const result: NativeKernels = { available: true, cpu: wrapAddonKernels(addon.cpu, 'cpu'), addonPath };
  let probe: ReturnType<AddonModule['cudaProbe']>;
  try {
    probe = addon.cudaProbe();
  } catch (error) {
    result.reason = `CUDA probe failed: ${describe(error)}`;
    return result;
  }
  if (probe.available) {
    result.cuda = wrapAddonKernels(addon.cuda, 'cuda');
    result.device = {
      name: probe.name,
      computeCapability: probe.computeCapability,
      totalMemoryBytes: probe.totalMemory,
      runtimeVersion: probe.runtimeVersion,
      driverVersion: probe.driverVersion,
    };
  } else {
    result.reason = addon.cudaCompiled ? probe.reason : `${probe.reason}${root ? buildNote(root) : ''}`;
  }
  return result;
}

export type KernelPreference = 'auto' | 'cuda' | 'cpu' | 'typescript';

/**
 * The best available backend with the TypeScript kernels' interface: CUDA when a device is usable,
 * else the native CPU kernels, else TypeScript. Asking for a specific backend that is missing
 * falls back the same way (check `.backend` to see what you got).
 */
export function kernels(preference: KernelPreference = 'auto'): KernelSet {
  if (preference === 'typescript') return typescriptKernels;
  const native = loadNativeKernels();
  if (preference !== 'cpu' && native.cuda) return native.cuda;
  return native.cpu;
}
