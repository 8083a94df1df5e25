/**
 * The device tier of the memory orchestrator: where the runtime reads the active adapter from.
 *
 * chimera-nano feeds its adapter to onnxruntime as graph inputs on every call, read straight from
 * host arrays, so its device is `HostDevice`: loading is binding, with no copy (an upload would only
 * add one). A runtime with adapter memory of its own (a GPU build, llama.cpp contexts) implements
 * `AdapterDevice` with a real upload; `StagingDevice` is that shape on the host: it copies every
 * tensor into a preallocated arena, which is what the swap benchmark measures.
 */
import { SelvesError } from '../errors/selves-error';

export interface AdapterDevice<V, H = V> {
  /** e.g. `host` (zero-copy), `staging` (copied into device-owned buffers). */
  readonly kind: string;
  /** Puts an adapter where the runtime reads it; returns what the runtime is given. */
  load(value: V): H;
  /** Frees what `load` took (the runtime no longer reads `handle`). */
  unload(handle: H): void;
}

/** The runtime reads host memory directly: the handle is the value itself. */
export class HostDevice<V> implements AdapterDevice<V, V> {
  readonly kind = 'host';
  load(value: V): V {
    return value;
  }
  unload(): void {}
}

/** Tensors copied into one reusable arena (one adapter resident at a time). */
export class StagingDevice<V> implements AdapterDevice<V, Float32Array[]> {
  readonly kind = 'staging';
  private arena = new Float32Array(0);
  private resident = false;

  constructor(private readonly tensorsOf: (value: V) => readonly Float32Array[]) {}

  load(value: V): Float32Array[] {
    if (this.resident)
      throw new SelvesError('StagingDevice holds one adapter at a time: unload the active one first');
    const tensors = this.tensorsOf(value);
    let total = 0;
    for (const t of tensors) total += t.length;
    // Grow only: later adapters of the same size reuse the allocation (as a device pool would).
    if (this.arena.length < total) this.arena = new Float32Array(total);
    const views: Float32Array[] = [];
    let offset = 0;
    for (const t of tensors) {
      const view = this.arena.subarray(offset, offset + t.length);
      view.set(t);
      views.push(view);
      offset += t.length;
    }
    this.resident = true;
    return views;
  }

  unload(): void {
    this.resident = false;
  }

  get capacityBytes(): number {
    return this.arena.byteLength;
  }
}
