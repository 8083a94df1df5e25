import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typescriptKernels } from '../kernels/typescript-kernels';
import { QuZOOptimizer } from '../quzo/quzo-optimizer';
import { checkAgreement } from './kernel-agreement';
import { kernels, loadNativeKernels } from './load-native-kernels';

const native = loadNativeKernels();
const disabled = process.env.CHIMERA_NATIVE === '0';
const cudaSkipReason = native.cuda ? '' : (native.reason ?? 'no CUDA kernels');
if (!native.cuda) console.warn(`[runtime-cuda] CUDA agreement test skipped: ${cudaSkipReason}`);

function failures(reports: ReturnType<typeof checkAgreement>) {
  return reports.filter((r) => r.difference !== null);
}

describe('native kernels', () => {
  it('load (or, with CHIMERA_NATIVE=0, fall back to TypeScript) and report why CUDA is missing', () => {
    // #region native-load
    const nativeKernels = loadNativeKernels(); // never throws
    if (!nativeKernels.cuda) console.info(`no CUDA kernels: ${nativeKernels.reason}`);
    const best = kernels(); // cuda > native cpu > typescript, one KernelSet interface
    const z = new Float32Array(1024);
    best.gaussian(z, 42, 0, 0); // same bits on every backend
    // #endregion
    expect(z).toEqual(
      ((): Float32Array => {
        const ref = new Float32Array(1024);
        typescriptKernels.gaussian(ref, 42, 0, 0);
        return ref;
      })(),
    );
    expect(nativeKernels).toBe(native);
    if (disabled) {
      expect(native.available).toBe(false);
      expect(kernels()).toBe(typescriptKernels);
      return;
    }
    expect(native.reason ?? '', `the addon must be built by the package build: ${native.reason}`).not.toMatch(
      /native addon (not built|failed)/,
    );
    expect(native.available).toBe(true);
    expect(native.cpu.backend).toBe('cpu');
    if (native.cuda) {
      expect(kernels().backend).toBe('cuda');
      expect(native.device?.name).toBeTruthy();
    } else {
      // This machine kind has no GPU: the addon must say so, not crash or pretend.
      expect(native.reason).toMatch(/no CUDA device|built without CUDA|probe kernel/);
      expect(kernels().backend).toBe('cpu');
    }
    expect(kernels('typescript')).toBe(typescriptKernels);
  });

  it.skipIf(disabled)('CPU kernels agree with the TypeScript kernels bit for bit', () => {
    const reports = checkAgreement(typescriptKernels, native.cpu, { matmulTolerance: 0 });
    expect(failures(reports)).toEqual([]);
    expect(reports.length).toBeGreaterThan(15);
  });

  it.skipIf(disabled)(
    'a QuZO run on the CPU kernels is bit-identical to one on the TypeScript kernels',
    async () => {
      const run = async (k: typeof typescriptKernels) => {
        const w = new Float32Array(3001).map((_, i) => Math.sin(i) * 0.1);
        const b = new Float32Array(7);
        const opt = new QuZOOptimizer({
          params: [w, b],
          lr: 1e-3,
          eps: 1e-3,
          perturbBits: 4,
          gradBits: 8,
          directions: 2,
          seed: 5,
          kernels: k,
          chunkSize: 1000,
        });
        const loss = () =>
          w.reduce((s, v, i) => s + (v - (i % 3)) ** 2, 0) / w.length + b.reduce((s, v) => s + v * v, 1);
        for (let s = 0; s < 8; s++) await opt.step(loss);
        return [...new Uint32Array(w.buffer), ...new Uint32Array(b.buffer)];
      };
      expect(await run(native.cpu)).toEqual(await run(typescriptKernels));
    },
  );

  it.skipIf(disabled)('rejects wrong argument types with a TypeError instead of crashing', () => {
    const fns = (native.cpu as unknown as { gaussian: (...a: unknown[]) => void }).gaussian;
    expect(() => fns(new Float64Array(4) as unknown as Float32Array, 1, 2, 0)).toThrow();
    expect(() =>
      native.cpu.perturbPlus(
        new Float32Array(8),
        0,
        { seed: 1, tensor: 0, quantizer: null },
        1e-3,
        new Uint8Array(1),
        new Uint32Array(2),
        new Float32Array(2),
      ),
    ).toThrow(/ledger arrays must have room/);
    // Offsets are exact integers, and a perturbed range must fit the 32-bit ledger positions.
    const perturb = (offset: number) =>
      native.cpu.perturbPlus(
        new Float32Array(8),
        offset,
        { seed: 1, tensor: 0, quantizer: null },
        1e-3,
        new Uint8Array(1),
        new Uint32Array(8),
        new Float32Array(8),
      );
    expect(() => perturb(1.5)).toThrow(/integer/);
    expect(() => perturb(2 ** 32 - 4)).toThrow(/2\^32/);
    expect(() => perturb(2 ** 32 - 8)).not.toThrow();
  });

  it('reports a missing or broken addon and falls back to TypeScript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chimera-native-'));
    const missing = loadNativeKernels({ addonPath: join(dir, 'absent.node') });
    expect(missing.available).toBe(false);
    expect(missing.reason).toMatch(/native addon not built/);
    expect(missing.cpu).toBe(typescriptKernels);
    const bad = join(dir, 'broken.node');
    writeFileSync(bad, 'not an ELF file');
    const broken = loadNativeKernels({ addonPath: bad });
    expect(broken.available).toBe(false);
    expect(broken.reason).toMatch(/failed to load/);
  });

  it.skipIf(!native.cuda)(
    `CUDA kernels agree with the CPU kernels${native.cuda ? '' : ` (skipped: ${cudaSkipReason})`}`,
    () => {
      const cuda = native.cuda!;
      const reports = checkAgreement(native.cpu, cuda, { matmulTolerance: 1e-5, size: 1_000_003 });
      expect(failures(reports)).toEqual([]);
    },
  );
});
