/**
 * The trainable part of chimera-nano: LoRA factors per adapted projection, the value head and the
 * lexical-feature weights. These are graph inputs, so switching selves or scoring a perturbed copy
 * (QuZO perturbs `parameters()` in place and scores again) never rebuilds or reloads the session.
 */
import { NanoModelError } from './nano-error';
import { seededNormal } from './seeded-random';

export interface LoraTensorSpec {
  /** e.g. `query.lora_a` [dim, rank], `query.lora_b` [rank, dim], `value.weight` [dim]. */
  name: string;
  shape: number[];
}

export class LoraWeights {
  private readonly tensors = new Map<string, Float32Array>();
  readonly spec: readonly LoraTensorSpec[];

  /** Zero-filled tensors for `spec`, or the given arrays (checked against the shapes, not copied). */
  constructor(spec: readonly LoraTensorSpec[], data?: Record<string, Float32Array>) {
    this.spec = spec.map((s) => ({ name: s.name, shape: [...s.shape] }));
    for (const { name, shape } of this.spec) {
      const size = shape.reduce((a, b) => a * b, 1);
      const given = data?.[name];
      if (data && !given) throw new NanoModelError(`adapter is missing tensor "${name}" [${shape}]`);
      if (given && given.length !== size) {
        throw new NanoModelError(
          `adapter tensor "${name}" must hold ${size} values [${shape}], got ${given.length}`,
        );
      }
      this.tensors.set(name, given ?? new Float32Array(size));
    }
    if (data) {
      const unknown = Object.keys(data).filter((n) => !this.tensors.has(n));
      if (unknown.length) {
        throw new NanoModelError(
          `adapter has tensors this model does not use: ${unknown.join(', ')} (expected ${[...this.tensors.keys()].join(', ')})`,
        );
      }
    }
  }

  get(name: string): Float32Array {
    const t = this.tensors.get(name);
    if (!t)
      throw new NanoModelError(
        `adapter has no tensor "${name}"; it has ${[...this.tensors.keys()].join(', ')}`,
      );
    return t;
  }

  shapeOf(name: string): readonly number[] {
    const s = this.spec.find((x) => x.name === name);
    if (!s) throw new NanoModelError(`adapter has no tensor "${name}"`);
    return s.shape;
  }

  names(): string[] {
    return this.spec.map((s) => s.name);
  }

  /** The live arrays, in spec order: an optimizer that edits them in place edits this adapter. */
  parameters(): Float32Array[] {
    return this.spec.map((s) => this.tensors.get(s.name)!);
  }

  /** The tensors that shape the candidate logits (LoRA factors, lexical weights): train these on a policy loss. */
  policyParameters(): Float32Array[] {
    return this.spec.filter((s) => !s.name.startsWith('value.')).map((s) => this.tensors.get(s.name)!);
  }

  /**
   * The value head (`value.weight`, `value.bias`): train these on a value loss. Perturbing them
   * while training on a policy loss only adds noise (the logits do not depend on them).
   */
  valueParameters(): Float32Array[] {
    return this.spec.filter((s) => s.name.startsWith('value.')).map((s) => this.tensors.get(s.name)!);
  }

  get parameterCount(): number {
    let n = 0;
    for (const t of this.tensors.values()) n += t.length;
    return n;
  }

  clone(): LoraWeights {
    const copy: Record<string, Float32Array> = {};
    for (const [name, t] of this.tensors) copy[name] = t.slice();
    return new LoraWeights(this.spec, copy);
  }

  /** Overwrites this adapter's values with `other`'s (same spec), e.g. to restore a snapshot. */
  copyFrom(other: LoraWeights): void {
    for (const { name } of this.spec) {
      const src = other.get(name);
      const dst = this.get(name);
      if (src.length !== dst.length) {
        throw new NanoModelError(
          `copyFrom: tensor "${name}" has ${src.length} values, expected ${dst.length}`,
        );
      }
      dst.set(src);
    }
  }

  /** Plain name -> { shape, data } record (e.g. to write as safetensors). The arrays are shared, not copied. */
  toRecord(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const s of this.spec) out[s.name] = { shape: [...s.shape], data: this.tensors.get(s.name)! };
    return out;
  }
}

/** Fills every `*.lora_a` with N(0, 1/rows) from `seed`; everything else stays zero (B = 0: no change at start). */
export function initializeLora(lora: LoraWeights, seed: number): LoraWeights {
  const normal = seededNormal(seed ^ 0x10a4);
  for (const { name, shape } of lora.spec) {
    if (!name.endsWith('.lora_a')) continue;
    const std = 1 / Math.sqrt(shape[0]!);
    const t = lora.get(name);
    for (let i = 0; i < t.length; i++) t[i] = normal() * std;
  }
  return lora;
}
