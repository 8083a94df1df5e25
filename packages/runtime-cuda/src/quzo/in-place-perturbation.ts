/**
 * Perturbs a model's parameters in place and restores them bit for bit, without a copy.
 *
 * float32 addition is not invertible: fl(fl(theta + d) - d) can differ from theta in its last bit
 * (a rounding tie, or theta + d moving to a coarser binade), so the MeZO sequence +eps, -2eps,
 * +eps drifts, and a full copy would double the memory the method exists to save. Instead, while
 * applying +eps u, the kernels work out for each element how to get theta back:
 * - most elements: fl(x - d) is theta (hint bit 0);
 * - 3-5% of weights with std 0.016-0.031 at eps 1e-3 (measured): theta is the float next to
 *   fl(x - d) on the side of that subtraction's rounding error, which TwoSum computes exactly
 *   (hint bit 1);
 * - the rest, 1-4% there (weights small next to the perturbation lose several bits, or a tie hides
 *   the side): the original value goes into a sparse ledger (index, value).
 * So the scratch is 1 bit per parameter (3.1% of float32 weights) plus 8 bytes per ledger entry. The same bit is reused: the minus pass reads
 * the "back from plus" bit and writes the "back from minus" bit.
 *
 * Work is chunked (`chunkSize` elements, a multiple of 8, per kernel call) so a native or CUDA
 * backend sees large contiguous ranges and the per-call ledger scratch stays bounded.
 */
import type { KernelSet, NoiseSpec } from '../kernels/kernel-set';
import { QuZOError } from './quzo-error';

export class InPlacePerturbation {
  /** Per-call ledger scratch (a kernel may ledger every element of its chunk in the worst case). */
  private readonly scratchIndex: Uint32Array;
  private readonly scratchValue: Float32Array;
  /** The step's ledger, sized to what was actually needed (grows by 25%, reused across steps). */
  private ledgerIndex = new Uint32Array(1024);
  private ledgerValue = new Float32Array(1024);
  /** One hint bit per parameter, per tensor. */
  private readonly hints: Uint8Array[];
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
    if (!Number.isInteger(chunkSize) || chunkSize < 8 || chunkSize % 8 !== 0) {
      throw new QuZOError(`chunkSize must be a multiple of 8 (>= 8), got ${chunkSize}`);
    }
    const largest = params.reduce((m, p) => Math.max(m, p.length), 0);
    const scratch = Math.max(1, Math.min(chunkSize, largest));
    this.scratchIndex = new Uint32Array(scratch);
    this.scratchValue = new Float32Array(scratch);
    this.hints = params.map((p) => new Uint8Array((p.length + 7) >> 3));
  }

  /** Entries the ledger holds for the current perturbation. */
  get ledgerEntries(): number {
    return this.ledgerStarts[this.ledgerStarts.length - 1]!;
  }

  /** Bytes of scratch held: hint bits, the per-call ledger scratch and the ledger. */
  get scratchBytes(): number {
    const hintBytes = this.hints.reduce((s, h) => s + h.byteLength, 0);
    const scratch = this.scratchIndex.byteLength + this.scratchValue.byteLength;
    return hintBytes + scratch + this.ledgerIndex.byteLength + this.ledgerValue.byteLength;
  }

  get phase(): 'clean' | 'plus' | 'minus' {
    return this.state;
  }

  private reserve(extra: number): void {
    const need = this.ledgerEntries + extra;
    if (need <= this.ledgerIndex.length) return;
    // Grow by a quarter (not doubling): the ledger is the optimizer's only sizeable scratch.
    let cap = this.ledgerIndex.length;
    while (cap < need) cap = Math.ceil(cap * 1.25);
    const idx = new Uint32Array(cap);
    idx.set(this.ledgerIndex.subarray(0, this.ledgerEntries));
    const val = new Float32Array(cap);
    val.set(this.ledgerValue.subarray(0, this.ledgerEntries));
    this.ledgerIndex = idx;
    this.ledgerValue = val;
  }

  /** theta -> theta + eps u, one NoiseSpec per parameter tensor. */
  plus(noises: readonly NoiseSpec[], eps: number): void {
    if (this.state !== 'clean')
      throw new QuZOError(`perturbation is in phase ${this.state}; restore() first`);
    if (noises.length !== this.params.length) {
      throw new QuZOError(
        `plus() needs one NoiseSpec per tensor (${this.params.length}), got ${noises.length}`,
      );
    }
    this.noises = noises;
    this.eps = eps;
    this.ledgerStarts = [0];
    let applied = 0;
    try {
      for (let t = 0; t < this.params.length; t++) {
        const p = this.params[t]!;
        for (let start = 0; start < p.length; start += this.chunkSize) {
          const end = Math.min(p.length, start + this.chunkSize);
          const added = this.kernels.perturbPlus(
            p.subarray(start, end),
            start,
            noises[t]!,
            eps,
            this.hints[t]!.subarray(start >> 3),
            this.scratchIndex,
            this.scratchValue,
          );
          const at = this.ledgerEntries;
          this.reserve(added);
          this.ledgerIndex.set(this.scratchIndex.subarray(0, added), at);
          this.ledgerValue.set(this.scratchValue.subarray(0, added), at);
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
    if (this.state !== 'plus') throw new QuZOError(`minus() needs phase plus, got ${this.state}`);
    this.forEachChunk((chunk, start, t, c) => {
      const from = this.ledgerStarts[c]!;
      const to = this.ledgerStarts[c + 1]!;
      this.kernels.perturbMinus(
        chunk,
        start,
        this.noises[t]!,
        this.eps,
        this.hints[t]!.subarray(start >> 3),
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
    let done = 0;
    this.forEachChunk((chunk, start, t, c) => {
      if (done++ >= count) return;
      const lo = this.ledgerStarts[c]!;
      const hi = this.ledgerStarts[c + 1]!;
      const args = [
        this.hints[t]!.subarray(start >> 3),
        this.ledgerIndex.subarray(lo, hi),
        this.ledgerValue.subarray(lo, hi),
        hi - lo,
      ] as const;
      // From plus, flip to minus first (exact by construction), then restore from minus.
      if (from === 'plus') this.kernels.perturbMinus(chunk, start, this.noises[t]!, this.eps, ...args);
      this.kernels.perturbRestore(chunk, start, this.noises[t]!, this.eps, ...args);
    });
    this.state = 'clean';
    this.ledgerStarts = [0];
  }

  private forEachChunk(
    fn: (chunk: Float32Array, start: number, tensor: number, chunkIndex: number) => void,
  ): void {
    let c = 0;
    for (let t = 0; t < this.params.length; t++) {
      const p = this.params[t]!;
      for (let start = 0; start < p.length; start += this.chunkSize) {
        fn(p.subarray(start, Math.min(p.length, start + this.chunkSize)), start, t, c++);
      }
    }
  }
}
