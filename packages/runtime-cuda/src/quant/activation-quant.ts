/**
 * Per-token symmetric fake quantization of activations (x -> round(x / s) * s with one scale per
 * row, s = max|row| / (2^(bits-1) - 1)): how W4A4 / W4A8 inference sees a layer's input. A row
 * with a few massive channels gets a huge s and every other channel rounds to zero, which is the
 * failure rotations exist to fix. Emitted in ONNX by `addActivationQuantization`.
 */
import { QuantError } from './quant-error';

export function fakeQuantizeActivations(
  x: Float32Array,
  d: number,
  bits: number,
  out = new Float32Array(x.length),
): Float32Array {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new QuantError(`activation bits must be an integer in 2..16, got ${bits}`);
  }
  if (x.length % d !== 0)
    throw new QuantError(`fakeQuantizeActivations: ${x.length} values are not rows of ${d}`);
  const qmax = 2 ** (bits - 1) - 1;
  const rows = x.length / d;
  for (let t = 0; t < rows; t++) {
    let absMax = 0;
    for (let j = 0; j < d; j++) absMax = Math.max(absMax, Math.abs(x[t * d + j] as number));
    const scale = Math.fround(absMax > 0 ? absMax / qmax : 1);
    for (let j = 0; j < d; j++) {
      const q = Math.min(qmax, Math.max(-qmax - 1, Math.round((x[t * d + j] as number) / scale)));
      out[t * d + j] = q * scale;
    }
  }
  return out;
}
