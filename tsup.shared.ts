/**
 * One tsup configuration factory for every package: ESM + CJS + .d.ts, Node 20 target,
 * dependencies left external. Packages pass only their entry points.
 */
import { defineConfig, type Options } from 'tsup';

export function packageConfig(entry: Record<string, string>, overrides: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    outDir: 'dist',
    ...overrides,
  });
}
