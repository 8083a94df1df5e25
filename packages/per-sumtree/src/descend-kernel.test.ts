/**
 * The WebAssembly descent against the TypeScript reference: same leaves and same remainders, bit
 * for bit, on random trees (zeros, subnormals and wide magnitudes included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSearchSpace, SEARCH_CHUNK, type SearchSpace } from './descend-kernel';
import { assembleDescendModule } from './descend-wasm';
import { SeededRandom } from './seeded-random';
import { sumGroup } from './sum-tree';
import { type TreeLayout, treeLayout } from './tree-layout';

/** Writes `values` as leaves and computes the internal nodes as SumTree does. */
function fill(space: SearchSpace, layout: TreeLayout, values: ArrayLike<number>): void {
  const { tree } = space;
  tree.fill(0);
  tree.set(values, layout.offsets[layout.depth]!);
  for (let level = layout.depth - 1; level >= 0; level--) {
    for (let node = 0; node < layout.sizes[level]!; node++) {
      tree[layout.offsets[level]! + node] = sumGroup(tree, layout.offsets[level + 1]! + node * 8);
    }
  }
}

/** Runs the same masses through both kernels; returns [leaves, remainders] of each. */
function both(values: ArrayLike<number>, fractions: number[]) {
  const layout = treeLayout(values.length);
  const results = (['wasm', 'js'] as const).map((kernel) => {
    const space = createSearchSpace(layout, kernel);
    expect(space.kernel).toBe(kernel);
    fill(space, layout, values);
    const total = space.tree[0]!;
    // Masses at or above the total never reach a kernel: SumTree maps them to AT_TOTAL first (a
    // descent with mass == total runs into the top level's padding, which has no subtree below).
    fractions.forEach((f, b) => {
      const mass = f * total;
      space.masses[b] = mass < total ? mass : 0;
    });
    space.nodes.fill(0);
    space.descend(fractions.length);
    return {
      leaves: Array.from(space.nodes.subarray(0, fractions.length)),
      rest: Array.from(space.masses.subarray(0, fractions.length)),
    };
  });
  return results;
}

const value = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => v + 0),
  fc.double({ min: 0, max: 1e-300, noNaN: true }).map((v) => v + 0),
  fc.integer({ min: 0, max: 10 }),
);

describe('descent kernels', () => {
  it('assembles a valid WebAssembly module', () => {
    const bytes = assembleDescendModule();
    // The ES2023 lib declares no WebAssembly types; the test runs on Node, which has it.
    const { WebAssembly: api } = globalThis as unknown as {
      WebAssembly: { validate(b: Uint8Array): boolean };
    };
    expect(api.validate(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(512);
  });

  it('WebAssembly and TypeScript descents agree bit for bit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 2000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: SEARCH_CHUNK }),
        (values, fractions) => {
          fc.pre(values.some((v) => v > 0));
          const [wasm, js] = both(values, fractions);
          expect(wasm!.leaves).toEqual(js!.leaves);
          // Object.is also tells +0 from -0.
          for (let b = 0; b < fractions.length; b++) expect(Object.is(wasm!.rest[b], js!.rest[b])).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('agree on a 2^16-leaf tree with a full chunk of sorted masses', () => {
    const random = new SeededRandom(16);
    const values = Float64Array.from({ length: 1 << 16 }, () =>
      random.nextFloat() < 0.2 ? 0 : -Math.log(1 - random.nextFloat()),
    );
    const fractions = Array.from({ length: SEARCH_CHUNK }, (_, b) => (b + random.nextFloat()) / SEARCH_CHUNK);
    const [wasm, js] = both(values, fractions);
    expect(wasm!.leaves).toEqual(js!.leaves);
    expect(wasm!.rest).toEqual(js!.rest);
    // Sorted masses land on non-decreasing leaves.
    for (let b = 1; b < SEARCH_CHUNK; b++)
      expect(wasm!.leaves[b]!).toBeGreaterThanOrEqual(wasm!.leaves[b - 1]!);
  });

  it('does nothing for an empty batch', () => {
    const layout = treeLayout(8);
    const space = createSearchSpace(layout);
    space.nodes[0] = 5;
    space.descend(0);
    expect(space.nodes[0]).toBe(5);
  });
});
