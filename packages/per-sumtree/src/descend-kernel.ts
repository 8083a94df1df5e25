/**
 * The batched root-to-leaf descent behind every SumTree search, and the memory it runs in.
 *
 * `descendJs` is the reference: plain TypeScript, and the fallback where WebAssembly is missing or
 * not allowed (a strict Content-Security-Policy). Where it is available, the tree lives in a
 * WebAssembly.Memory and the same descent runs as the small kernel of descend-wasm.ts: at 2^20
 * leaves a stratified batch of 256 took 17 µs instead of 47 µs side by side in development runs
 * (docs/per-sumtree.md#benchmark). Both run the same floating-point operations in the same order,
 * so they return the same leaves and remainders (descend-kernel.test.ts).
 *
 * A search space is the tree's backing array plus fixed scratch for one chunk of descents
 * (`SEARCH_CHUNK`): larger batches run chunk by chunk, so nothing grows and the memory never has
 * to be resized (resizing would detach every view of it).
 */
import { assembleDescendModule } from './descend-wasm';
import type { TreeLayout } from './tree-layout';

/** Descents run together per call: enough to overlap hundreds of cache misses, 6 KiB of scratch. */
export const SEARCH_CHUNK = 512;

export interface SearchSpace {
  /** The tree, level by level as described in tree-layout.ts. */
  readonly tree: Float64Array;
  /** In: the masses to search. Out: what is left of each mass inside its leaf. */
  readonly masses: Float64Array;
  /** In: 0 (the root). Out: the leaf each descent reached. */
  readonly nodes: Int32Array;
  /** Which kernel `descend` runs. */
  readonly kernel: 'wasm' | 'js';
  /** Runs descents 0..count-1 (count <= SEARCH_CHUNK) from the root down to the leaves. */
  descend(count: number): void;
}

/**
 * Allocates a zeroed tree for `layout` with its scratch, in WebAssembly memory when `kernel` is
 * 'wasm' (the default) and WebAssembly works here, otherwise in plain typed arrays.
 */
export function createSearchSpace(layout: TreeLayout, kernel: 'wasm' | 'js' = 'wasm'): SearchSpace {
  if (kernel === 'wasm') {
    const space = createWasmSearchSpace(layout);
    if (space) return space;
  }
  const tree = new Float64Array(layout.length);
  const masses = new Float64Array(SEARCH_CHUNK);
  const nodes = new Int32Array(SEARCH_CHUNK);
  const { offsets, depth } = layout;
  return {
    tree,
    masses,
    nodes,
    kernel: 'js',
    descend: (count) => descendJs(tree, offsets, depth, nodes, masses, count),
  };
}

/** The part of the WebAssembly JavaScript API used here (the ES2023 lib does not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}

let compiled: { api: WebAssemblyApi; module: object } | null | undefined;

/** The compiled kernel, or null where WebAssembly is missing or refused (compiled once). */
function descendModule(): { api: WebAssemblyApi; module: object } | null {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    try {
      compiled = api ? { api, module: new api.Module(assembleDescendModule()) } : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

type WasmDescend = (
  levels: number,
  depth: number,
  nodes: number,
  masses: number,
  count: number,
  touchFrom: number,
) => void;

/**
 * Levels of at least this many bytes get the WebAssembly kernel's touch pass (descend-wasm.ts):
 * smaller ones stay in the L2 cache between batches, where the extra pass would only cost time.
 */
const TOUCH_BYTES = 256 * 1024;

function createWasmSearchSpace(layout: TreeLayout): SearchSpace | null {
  const wasm = descendModule();
  if (!wasm) return null;
  // Byte layout: the tree, the masses, the descents' nodes, then each level's start in bytes.
  const massesAt = layout.length * 8;
  const nodesAt = massesAt + SEARCH_CHUNK * 8;
  const levelsAt = nodesAt + SEARCH_CHUNK * 4;
  const bytes = levelsAt + (layout.depth + 1) * 4;
  const pages = Math.ceil(bytes / 65536);
  let memory: { buffer: ArrayBuffer };
  let descend: WasmDescend;
  try {
    memory = new wasm.api.Memory({ initial: pages, maximum: pages });
    const instance = new wasm.api.Instance(wasm.module, { env: { memory } });
    descend = instance.exports.descend as WasmDescend;
  } catch {
    // Address space or engine limits: the typed-array version needs no WebAssembly memory.
    return null;
  }
  const levels = new Int32Array(memory.buffer, levelsAt, layout.depth + 1);
  for (let level = 0; level <= layout.depth; level++) levels[level] = layout.offsets[level]! * 8;
  const depth = layout.depth;
  let touchFrom = depth + 1;
  while (touchFrom > 1 && layout.sizes[touchFrom - 1]! * 8 >= TOUCH_BYTES) touchFrom--;
  return {
    tree: new Float64Array(memory.buffer, 0, layout.length),
    masses: new Float64Array(memory.buffer, massesAt, SEARCH_CHUNK),
    nodes: new Int32Array(memory.buffer, nodesAt, SEARCH_CHUNK),
    kernel: 'wasm',
    descend: (count) => descend(levelsAt, depth, nodesAt, massesAt, count, touchFrom),
  };
}

/**
 * Advances `count` descents (`nodes`/`masses`, starting at the root) to the leaf level, all of
 * them one level at a time: the descents are independent, so the cache misses of one level's
 * groups overlap instead of queueing behind each other as in one-descent-at-a-time code.
 *
 * In a group, the descent is the binary descent over the 3 binary levels the group packs, with
 * their sums formed in the tree's pairwise order (sum-tree.ts): go right of the left half
 * L = (c0 + c1) + (c2 + c3) when mass >= L (subtracting L), then likewise for the pair and the
 * single child. Each decision is a 0/1 number (`+(mass >= sum)`) that both picks the half and,
 * multiplied by the sum, gives what to subtract: no branch to mispredict, and multiplying by
 * exactly 0 or 1 changes no bits. The `3`s in the shifts are the 8-way fan-out, as literals.
 */
export function descendJs(
  tree: Float64Array,
  offsets: Int32Array,
  depth: number,
  nodes: Int32Array,
  masses: Float64Array,
  count: number,
): void {
  for (let level = 1; level <= depth; level++) {
    const offset = offsets[level]!;
    for (let b = 0; b < count; b++) {
      const group = nodes[b]! << 3;
      const base = offset + group;
      let mass = masses[b]!;
      const left = tree[base]! + tree[base + 1]! + (tree[base + 2]! + tree[base + 3]!);
      const half = +(mass >= left);
      mass -= half * left;
      const pairAt = half << 2;
      const pair = tree[base + pairAt]! + tree[base + pairAt + 1]!;
      const inPair = +(mass >= pair);
      mass -= inPair * pair;
      const childAt = pairAt + (inPair << 1);
      const first = tree[base + childAt]!;
      const second = +(mass >= first);
      masses[b] = mass - second * first;
      nodes[b] = group + childAt + second;
    }
  }
}
