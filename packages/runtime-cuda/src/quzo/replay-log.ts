/**
 * The compact record of a QuZO run. Each step stores only what the update needs: the learning
 * rate and the (INT8-quantized) projected gradient of each direction; the directions themselves
 * are regenerated from (seed, step, direction). Replaying the records over the initial
 * parameters reproduces the trained parameters bit for bit, so a run can be audited or rebuilt
 * without any loss evaluation. Binary size: 8 + 4 + n bytes per step with INT8 gradients
 * (lr as float64, scale as float32, one int8 code per direction), 8 + 8n without.
 */
import { philox4x32 } from '../kernels/philox';
import { QuZOError } from './quzo-error';

export interface QuZOStepRecord {
  step: number;
  lr: number;
  /** Projected gradient per direction, exactly as applied (after INT8 quantization when on). */
  projectedGradients: number[];
}

const seedWords = new Uint32Array(4);

/** The uint32 seed of direction `direction` at `step` of a run seeded with `seed`. */
export function directionSeed(seed: number, step: number, direction: number): number {
  philox4x32(step, Math.floor(step / 4294967296), direction, 0x5eed, seed, 0x51a7e5, seedWords);
  return seedWords[0]!;
}

/**
 * Symmetric INT8 quantization of the step's projected gradients with one shared scale
 * max|g| / 127 (round to nearest), as the QuZO code does; with one direction it is exact.
 * Returns the dequantized values, the scale and the codes.
 */
export function quantizeGradientsInt8(g: readonly number[]): {
  values: number[];
  scale: number;
  codes: Int8Array;
} {
  let max = 0;
  for (const v of g) max = Math.max(max, Math.abs(v));
  const codes = new Int8Array(g.length);
  if (max === 0) return { values: g.map(() => 0), scale: 0, codes };
  const scale = Math.fround(max / 127);
  const values = g.map((v, j) => {
    const c = Math.max(-127, Math.min(127, Math.round(v / scale)));
    codes[j] = c;
    return c * scale;
  });
  return { values, scale, codes };
}

const MAGIC = 0x515a4f31; // "QZO1"

/**
 * Binary encoding: header (magic, flags, directions, count) then per step either
 * [lr f64, scale f32, codes int8 x n] (INT8 mode; the codes are recomputed exactly from the
 * values) or [lr f64, g f64 x n].
 */
export function encodeReplayLog(
  records: readonly QuZOStepRecord[],
  directions: number,
  int8: boolean,
): Uint8Array {
  const per = int8 ? 12 + directions : 8 + 8 * directions;
  const out = new Uint8Array(16 + records.length * per);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, int8 ? 1 : 0, true);
  view.setUint32(8, directions, true);
  view.setUint32(12, records.length, true);
  let at = 16;
  for (const r of records) {
    if (r.projectedGradients.length !== directions) {
      throw new QuZOError(
        `step ${r.step} has ${r.projectedGradients.length} gradients, expected ${directions}`,
      );
    }
    view.setFloat64(at, r.lr, true);
    if (int8) {
      const q = quantizeGradientsInt8(r.projectedGradients);
      if (q.values.some((v, j) => v !== r.projectedGradients[j])) {
        throw new QuZOError(
          `step ${r.step}: gradients are not INT8-quantized values; encode with int8 = false`,
        );
      }
      view.setFloat32(at + 8, q.scale, true);
      for (let j = 0; j < directions; j++) view.setInt8(at + 12 + j, q.codes[j]!);
    } else {
      for (let j = 0; j < directions; j++) view.setFloat64(at + 8 + 8 * j, r.projectedGradients[j]!, true);
    }
    at += per;
  }
  return out;
}

/** Decodes `encodeReplayLog`'s bytes; step numbers are implied by position from `firstStep`. */
export function decodeReplayLog(bytes: Uint8Array, firstStep = 0): QuZOStepRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || view.getUint32(0, true) !== MAGIC) {
    throw new QuZOError('not a QuZO replay log (bad magic): pass bytes from encodeReplayLog');
  }
  const int8 = view.getUint32(4, true) === 1;
  const n = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const per = int8 ? 12 + n : 8 + 8 * n;
  if (bytes.byteLength !== 16 + count * per) {
    throw new QuZOError(`replay log is truncated or padded: ${bytes.byteLength} bytes for ${count} steps`);
  }
  const records: QuZOStepRecord[] = [];
  let at = 16;
  for (let s = 0; s < count; s++) {
    const lr = view.getFloat64(at, true);
    const g: number[] = [];
    if (int8) {
      const scale = view.getFloat32(at + 8, true);
      for (let j = 0; j < n; j++) g.push(view.getInt8(at + 12 + j) * scale);
    } else {
      for (let j = 0; j < n; j++) g.push(view.getFloat64(at + 8 + 8 * j, true));
    }
    records.push({ step: firstStep + s, lr, projectedGradients: g });
    at += per;
  }
  return records;
}
