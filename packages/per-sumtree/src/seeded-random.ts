/**
 * SeededRandom: xoshiro128** (Blackman and Vigna), a small, fast generator with a 128-bit state,
 * seeded through a splitmix-style mixer so nearby seeds give unrelated streams. Reproducible runs
 * need a generator whose whole state can be saved and restored: `getState()` / `setState()` (the
 * replay buffer saves it with the rest of its state). Not for cryptography.
 */
import { InvalidArgumentError } from './errors/invalid-argument-error';
import type { RandomSource } from './random-source';

const TWO_POW_32 = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

export class SeededRandom implements RandomSource {
  /** The seed this generator started from (to reproduce the run). */
  readonly seed: number;
  // Int32Array keeps the four words unboxed whatever the engine's small-integer range is.
  private readonly state = new Int32Array(4);

  /** `seed`: any safe integer; omitted, one is drawn from Math.random (read it back from `seed`). */
  constructor(seed: number = Math.floor(Math.random() * TWO_POW_32)) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(`seed must be a safe integer, got ${String(seed)}`);
    }
    this.seed = seed;
    let mix = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_POW_32) | 0, 0x27d4eb2f);
    for (let i = 0; i < 4; i++) {
      mix = (mix + 0x9e3779b9) | 0;
      let z = mix;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = z ^ (z >>> 16);
    }
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1;
  }

  /** A generator continuing from a state returned by `getState()`. */
  static fromState(state: ArrayLike<number>, seed = 0): SeededRandom {
    const random = new SeededRandom(seed);
    random.setState(state);
    return random;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  /** Uniform integer in [0, bound), unbiased (rejects the short top range). bound <= 2^32. */
  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
      throw new InvalidArgumentError(`nextInt: bound must be an integer in [1, 2^32], got ${String(bound)}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % bound;
    }
  }

  /** The four 32-bit state words (unsigned), enough to resume the stream exactly. */
  getState(): [number, number, number, number] {
    const s = this.state;
    return [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
  }

  setState(state: ArrayLike<number>): void {
    if (state.length !== 4) {
      throw new InvalidArgumentError(`random state must have 4 words, got ${state.length}`);
    }
    let any = 0;
    for (let i = 0; i < 4; i++) {
      const word = state[i]!;
      if (!Number.isInteger(word) || word < 0 || word >= TWO_POW_32) {
        throw new InvalidArgumentError(
          `random state word ${i} must be an integer in [0, 2^32), got ${String(word)}`,
        );
      }
      any |= word;
    }
    if (any === 0)
      throw new InvalidArgumentError('random state must not be all zeros (xoshiro would stay at 0)');
    for (let i = 0; i < 4; i++) this.state[i] = state[i]!;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
