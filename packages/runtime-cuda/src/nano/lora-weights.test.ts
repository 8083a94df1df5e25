import { describe, expect, it } from 'vitest';
import { initializeLora, LoraWeights } from './lora-weights';
import { candidateAccuracy, candidateCrossEntropy } from './policy-loss';

const spec = [
  { name: 'query.lora_a', shape: [4, 2] },
  { name: 'query.lora_b', shape: [2, 4] },
  { name: 'value.weight', shape: [4] },
  { name: 'value.bias', shape: [1] },
];

describe('LoraWeights', () => {
  it('exposes live arrays, splits policy and value parameters, clones and restores', () => {
    const lora = initializeLora(new LoraWeights(spec), 1);
    expect(lora.parameterCount).toBe(8 + 8 + 4 + 1);
    expect(lora.get('query.lora_b').every((v) => v === 0)).toBe(true);
    expect(lora.get('query.lora_a').some((v) => v !== 0)).toBe(true);
    expect(lora.policyParameters()).toHaveLength(2);
    expect(lora.valueParameters()).toHaveLength(2);
    const snapshot = lora.clone();
    lora.parameters()[1]![0] = 5; // in place, as an optimizer does
    expect(lora.get('query.lora_b')[0]).toBe(5);
    lora.copyFrom(snapshot);
    expect(lora.get('query.lora_b')[0]).toBe(0);
    expect(lora.toRecord()['value.weight']!.shape).toEqual([4]);
  });

  it('rejects missing, unknown and mis-sized tensors', () => {
    expect(() => new LoraWeights(spec, { 'query.lora_a': new Float32Array(8) })).toThrow(
      /missing tensor "query.lora_b"/,
    );
    const full = Object.fromEntries(
      spec.map((s) => [s.name, new Float32Array(s.shape.reduce((a, b) => a * b, 1))]),
    );
    expect(() => new LoraWeights(spec, { ...full, extra: new Float32Array(1) })).toThrow(
      /does not use: extra/,
    );
    expect(() => new LoraWeights(spec, { ...full, 'value.bias': new Float32Array(2) })).toThrow(
      /must hold 1/,
    );
    expect(() => new LoraWeights(spec).get('nope')).toThrow(/no tensor "nope"/);
  });
});

describe('policy losses', () => {
  it('cross-entropy and accuracy over groups of candidates', () => {
    const logits = [Float32Array.of(0, 0), Float32Array.of(10, 0, 0)];
    expect(candidateCrossEntropy(logits, [0, 0])).toBeCloseTo(
      (Math.log(2) + Math.log(1 + 2 * Math.exp(-10))) / 2,
      6,
    );
    expect(candidateAccuracy(logits, [1, 0])).toBe(0.5);
  });
});
