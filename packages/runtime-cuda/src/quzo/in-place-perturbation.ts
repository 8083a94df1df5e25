/**
 * Perturbs a model's parameters in place and restores them bit for bit.
 *
 * Why a ledger and not a copy: float32 addition is not invertible in general (theta + d - d can
 * lose theta's low bits when |d| is large relative to |theta|), so the MeZO sequence +eps, -2eps,
 * +eps drifts. A full copy would double the memory the method exists to save. Instead, while
 * applying +eps u, each element is checked: if fl(fl(theta + d) - d) and fl(fl(theta - d) + d)
 * both give theta back exactly, nothing is stored; otherwise (index, theta) goes into a sparse
 * ledger. The minus and restore passes recompute d from the seed and patch the ledgered elements.
 * For weights much larger than eps the ledger holds well under 1% of the elements (measured in
 * the tests); it grows only where weights are tiny relative to the perturbation (e.g. a LoRA B
 * matrix just after zero init: zeros themselves are exact, small non-zeros are ledgered).
 *
 * Work is chunked (`chunkSize` elements per kernel call) so the scratch needed per call is bounded
 * and a native or CUDA backend sees large, contiguous ranges.
 */
import type { KernelSet, NoiseSpec } from '../kernels/kernel-set';

export class InPlacePerturbation {
  private ledgerIndex: Uint32Array;
  private ledgerValue: Float32Array;
  /** ledgerStarts[c] .. ledgerStarts[c + 1]: ledger entries of chunk c (chunks of all tensors in order). */
  private ledgerStarts: number[] = [0];
  private state: 'clean' | 'plus' | 'minus' = 'clean';
  private noises: readonly NoiseSpec[] = [];
  private eps = 0;

  constructor(
    private readonly kernels: KernelSet,
    private readonly params: readonly Float32Array[],
    private readonly chunkSize: number,
  ) {
    const largest = params.reduce((m, p) => Math.max(m, p.length), 0);
    const initial = Math.max(1, Math.min(chunkSize, largest));
    this.ledgerIndex = new Uint32Array(initial);
    this.ledgerValue = new Float32Array(initial);
  }

  /** Entries the ledger holds for the current perturbation. */
  get ledgerEntries(): number {
    return this.ledgerStarts[this.ledgerStarts.length - 1]!;
  }

  /** Bytes the ledger's buffers hold now (they grow by doubling and are reused across steps). */
  get ledgerBytes(): number {
    return this.ledgerIndex.byteLength + this.ledgerValue.byteLength;
  }

  get phase(): 'clean' | 'plus' | 'minus' {
    return this.state;
  }

  private reserve(extra: number): void {
    const need = this.ledgerEntries + extra;
    if (need <= this.ledgerIndex.length) return;
    let cap = this.ledgerIndex.length;
    while (cap < need) cap *= 2;
    const idx = new Uint32Array(cap);
    idx.set(this.ledgerIndex.subarray(0, this.ledgerEntries));
    const val = new Float32Array(cap);
    val.set(this.ledgerValue.subarray(0, this.ledgerEntries));
    this.ledgerIndex = idx;
    this.ledgerValue = val;
  }

  /** theta -> theta + eps u, one NoiseSpec per parameter tensor. */
  plus(noises: readonly NoiseSpec[], eps: number): void {
    if (this.state !== 'clean') throw new Error(`perturbation is in phase ${this.state}; restore first`);
    this.noises = noises;
    this.eps = eps;
    this.ledgerStarts = [0];
    let applied = 0;
    try {
      for (let t = 0; t < this.params.length; t++) {
        const p = this.params[t]!;
        const noise = noises[t]!;
        for (let start = 0; start < p.length; start += this.chunkSize) {
          const chunk = p.subarray(start, Math.min(p.length, start + this.chunkSize));
          this.reserve(chunk.length);
          const at = this.ledgerEntries;
          const added = this.kernels.perturbPlus(
            chunk,
            start,
            noise,
            eps,
            this.ledgerIndex.subarray(at),
            this.ledgerValue.subarray(at),
          );
          this.ledgerStarts.push(at + added);
          applied++;
        }
      }
    } catch (error) {
      // A kernel failure part-way leaves earlier chunks perturbed: undo exactly what was applied.
      this.undoChunks(applied, 'plus');
      throw error;
    }
    this.state = 'plus';
  }

  /** theta + eps u -> theta - eps u. */
  minus(): void {
    if (this.state !== 'plus') throw new Error(`minus() needs phase plus, got ${this.state}`);
    this.forEachChunk((chunk, start, noise, c) => {
      const from = this.ledgerStarts[c]!;
      const to = this.ledgerStarts[c + 1]!;
      this.kernels.perturbMinus(
        chunk,
        start,
        noise,
        this.eps,
        this.ledgerIndex.subarray(from, to),
        this.ledgerValue.subarray(from, to),
        to - from,
      );
    });
    this.state = 'minus';
  }

  /** Back to the exact original values, from either phase. */
  restore(): void {
    if (this.state === 'clean') return;
    this.undoChunks(this.ledgerStarts.length - 1, this.state);
  }

  private undoChunks(count: number, from: 'plus' | 'minus'): void {
    let c = 0;
    this.forEachChunk((chunk, start, noise, chunkIndex) => {
      if (c++ >= count) return;
      const lo = this.ledgerStarts[chunkIndex]!;
      const hi = this.ledgerStarts[chunkIndex + 1]!;
      const idx = this.ledgerIndex.subarray(lo, hi);
      const val = this.ledgerValue.subarray(lo, hi);
      if (from === 'plus') {
        // theta + d -> theta: flip to theta - d first (exact by the ledger check), then restore.
        this.kernels.perturbMinus(chunk, start, noise, this.eps, idx, val, hi - lo);
      }
      this.kernels.perturbRestore(chunk, start, noise, this.eps, idx, val, hi - lo);
    });
    this.state = 'clean';
    this.ledgerStarts = [0];
  }

  private forEachChunk(
    fn: (chunk: Float32Array, start: number, noise: NoiseSpec, chunkIndex: number) => void,
  ): void {
    let c = 0;
    for (let t = 0; t < this.params.length; t++) {
      const p = this.params[t]!;
      const noise = this.noises[t]!;
      for (let start = 0; start < p.length; start += this.chunkSize) {
        fn(p.subarray(start, Math.min(p.length, start + this.chunkSize)), start, noise, c++);
      }
    }
  }
}
