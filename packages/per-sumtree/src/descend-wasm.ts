/**
 * The batched descent of `descendJs` (descend-kernel.ts) as a WebAssembly function, assembled
 * here from a readable listing into a ~370-byte module (no toolchain, nothing downloaded).
 *
 * Why WebAssembly for this one loop: it is the same arithmetic, without the bounds check that
 * JavaScript pays on each of the 7 tree reads per group (measured during development at 2^20
 * leaves, the bare level loop took about 20 µs per batch of 256 against 27 µs for descendJs).
 * Both kernels run the identical sequence of IEEE-754 double operations (`mass -= f64(h) * sum`
 * with h = (mass >= sum) in 0/1), so they return the same leaves and the same remainders;
 * descend-kernel.test.ts checks this on random trees.
 *
 * One addition: levels from `touchFrom` down (the large ones, which miss
 * the cache) are first read once per descent in a tight loop of loads whose values are dropped.
 * That loop is short enough for the CPU to keep dozens of those misses in flight at once (the
 * arithmetic loop keeps only a few), so the arithmetic pass then finds its groups in the L1 cache.
 * A load whose value is dropped is still executed: any WebAssembly load may trap. (The same
 * pre-read written in JavaScript did not pay off when measured.)
 *
 * The function, in pseudo-code (all addresses are byte offsets into the tree's memory):
 *
 *   descend(levels, depth, nodes, masses, count, touchFrom):
 *     for level in 1..depth:
 *       off = i32[levels + 4 * level]                      // start of the level
 *       if level >= touchFrom:
 *         for b in 0..count-1: drop f64[off + (i32[nodes + 4 * b] << 6)]
 *       for b in 0..count-1:
 *         base = off + (i32[nodes + 4 * b] << 6)           // the 8-child group, 64 bytes
 *         mass = f64[masses + 8 * b]
 *         sum = (f64[base] + f64[base + 8]) + (f64[base + 16] + f64[base + 24])
 *         h = mass >= sum; mass -= f64(h) * sum; base += h << 5      // left or right half
 *         sum = f64[base] + f64[base + 8]
 *         h = mass >= sum; mass -= f64(h) * sum; base += h << 4      // left or right pair
 *         sum = f64[base]
 *         h = mass >= sum; mass -= f64(h) * sum; base += h << 3      // left or right child
 *         f64[masses + 8 * b] = mass
 *         i32[nodes + 4 * b] = (base - off) >> 3                      // child index in the level
 */

// ---- a minimal WebAssembly binary encoder ---------------------------------------------------------

/** Unsigned LEB128. */
function u32(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0);
  return bytes;
}

/** Signed LEB128 (for i32.const). */
function s32(n: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

const name = (text: string): number[] => [...u32(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
const vector = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];

const i32 = 0x7f;
const f64 = 0x7c;
const VOID = 0x40;

// Instructions used by the kernel (opcodes from the WebAssembly core specification, section 5.4).
const ins = {
  block: [0x02, VOID],
  loop: [0x03, VOID],
  end: [0x0b],
  drop: [0x1a],
  br_if: (label: number) => [0x0d, ...u32(label)],
  get: (local: number) => [0x20, ...u32(local)],
  set: (local: number) => [0x21, ...u32(local)],
  tee: (local: number) => [0x22, ...u32(local)],
  // memarg: alignment exponent, then a constant byte offset added to the address.
  i32_load: [0x28, 2, 0],
  i32_store: [0x36, 2, 0],
  f64_load: (offset: number) => [0x2b, 3, ...u32(offset)],
  f64_store: [0x39, 3, 0],
  i32_const: (value: number) => [0x41, ...s32(value)],
  i32_eqz: [0x45],
  i32_lt_u: [0x49],
  i32_le_u: [0x4d],
  i32_add: [0x6a],
  i32_sub: [0x6b],
  i32_shl: [0x74],
  i32_shr_u: [0x76],
  f64_ge: [0x66],
  f64_add: [0xa0],
  f64_sub: [0xa1],
  f64_mul: [0xa2],
  f64_convert_i32_u: [0xb8],
};

// ---- the kernel -----------------------------------------------------------------------------------

// Locals: the 6 parameters, then the working variables.
const LEVELS = 0;
const DEPTH = 1;
const NODES = 2;
const MASSES = 3;
const COUNT = 4;
const TOUCH_FROM = 5;
const LEVEL = 6;
const B = 7;
const OFF = 8;
const BASE = 9;
const H = 10;
const MASS = 11;
const SUM = 12;
const LOCALS = vector([
  [5, i32], // level, b, off, base, h
  [2, f64], // mass, sum
]);

/** `address + (index << shift)` */
const element = (address: number, index: number, shift: number) => [
  ...ins.get(address),
  ...ins.get(index),
  ...ins.i32_const(shift),
  ...ins.i32_shl,
  ...ins.i32_add,
];

/** `off + (nodes[b] << 6)`: the group descent b reads in this level. */
const group = [
  ...ins.get(OFF),
  ...element(NODES, B, 2),
  ...ins.i32_load,
  ...ins.i32_const(6),
  ...ins.i32_shl,
  ...ins.i32_add,
];

/** `b += 1; continue while b < count` (the back edge of a loop over the descents) */
const nextDescent = [
  ...ins.get(B),
  ...ins.i32_const(1),
  ...ins.i32_add,
  ...ins.tee(B),
  ...ins.get(COUNT),
  ...ins.i32_lt_u,
  ...ins.br_if(0),
];

/** `sum` = f64 at `base + offset` */
const load = (offset: number) => [...ins.get(BASE), ...ins.f64_load(offset)];

/** h = mass >= sum; mass -= f64(h) * sum; base += h << shift */
const decide = (shift: number) => [
  ...ins.get(MASS),
  ...ins.get(SUM),
  ...ins.f64_ge,
  ...ins.set(H),
  ...ins.get(MASS),
  ...ins.get(H),
  ...ins.f64_convert_i32_u,
  ...ins.get(SUM),
  ...ins.f64_mul,
  ...ins.f64_sub,
  ...ins.set(MASS),
  ...element(BASE, H, shift),
  ...ins.set(BASE),
];

const body = [
  ...ins.block, // exits at once when count is 0
  ...ins.get(COUNT),
  ...ins.i32_eqz,
  ...ins.br_if(0),
  ...ins.i32_const(1),
  ...ins.set(LEVEL),
  ...ins.loop, // for level in 1..depth
  ...element(LEVELS, LEVEL, 2),
  ...ins.i32_load,
  ...ins.set(OFF),
  ...ins.block, // if level >= touchFrom: read each descent's group once
  ...ins.get(LEVEL),
  ...ins.get(TOUCH_FROM),
  ...ins.i32_lt_u,
  ...ins.br_if(0),
  ...ins.i32_const(0),
  ...ins.set(B),
  ...ins.loop,
  ...group,
  ...ins.f64_load(0),
  ...ins.drop,
  ...nextDescent,
  ...ins.end,
  ...ins.end,
  ...ins.i32_const(0),
  ...ins.set(B),
  ...ins.loop, // for b in 0..count-1
  ...group,
  ...ins.set(BASE),
  ...element(MASSES, B, 3),
  ...ins.f64_load(0),
  ...ins.set(MASS),
  ...load(0),
  ...load(8),
  ...ins.f64_add,
  ...load(16),
  ...load(24),
  ...ins.f64_add,
  ...ins.f64_add,
  ...ins.set(SUM),
  ...decide(5),
  ...load(0),
  ...load(8),
  ...ins.f64_add,
  ...ins.set(SUM),
  ...decide(4),
  ...load(0),
  ...ins.set(SUM),
  ...decide(3),
  ...element(MASSES, B, 3),
  ...ins.get(MASS),
  ...ins.f64_store,
  ...element(NODES, B, 2),
  ...ins.get(BASE),
  ...ins.get(OFF),
  ...ins.i32_sub,
  ...ins.i32_const(3),
  ...ins.i32_shr_u,
  ...ins.i32_store,
  ...nextDescent,
  ...ins.end,
  ...ins.get(LEVEL),
  ...ins.i32_const(1),
  ...ins.i32_add,
  ...ins.tee(LEVEL),
  ...ins.get(DEPTH),
  ...ins.i32_le_u,
  ...ins.br_if(0),
  ...ins.end,
  ...ins.end,
  ...ins.end, // end of the function
];

/** The module: imports `env.memory`, exports `descend(levels, depth, nodes, masses, count, touchFrom)`. */
export function assembleDescendModule(): Uint8Array {
  const code = [...LOCALS, ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vector([[0x60, ...vector([[i32], [i32], [i32], [i32], [i32], [i32]]), 0]])), // type 0: (i32 x6) -> ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // memory, min 1 page
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(7, vector([[...name('descend'), 0x00, 0]])), // export function 0
    ...section(10, vector([[...u32(code.length), ...code]])),
  ]);
}
