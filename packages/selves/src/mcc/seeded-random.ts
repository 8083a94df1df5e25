/**
 * The controller's own random stream: mulberry32 (32-bit state, so saving and restoring it is one
 * integer) with the draws Thompson sampling needs: standard normal (Box-Muller), Gamma
 * (Marsaglia-Tsang) and Beta (ratio of Gammas). Same seed and same calls, same numbers.
 */
export class SeededRandom {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The state to save; `new SeededRandom(0).setState(state)` continues the stream. */
  get state(): number {
    return this.s;
  }

  setState(state: number): this {
    this.s = state >>> 0;
    return this;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uint32, e.g. a seed for an optimizer run. */
  nextUint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, 1). Shapes below 1 use the boost Gamma(k) = Gamma(k + 1) U^(1/k). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.next()) ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) with a, b > 0. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }
}
