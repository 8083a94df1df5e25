/** The one method the teacher needs from a random source (per-sumtree's SeededRandom fits). */
export interface SeededRandomLike {
  /** Uniform in [0, 1). */
  next(): number;
}

/** Small deterministic generator (mulberry32) for code paths that need no other state. */
export class Mulberry32 implements SeededRandomLike {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  getState(): number {
    return this.state;
  }
  setState(state: number): void {
    this.state = state >>> 0;
  }
}
