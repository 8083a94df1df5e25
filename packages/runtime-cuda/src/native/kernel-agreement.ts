/**
 * Cross-backend agreement checks, shared by the native tests (CPU vs TypeScript, CUDA vs CPU).
 * Each check runs one kernel on both backends with identical inputs and returns the first
 * difference it finds, or null. Everything must agree bit for bit except the 4-bit matmul, whose
 * GPU summation order differs (`matmulTolerance`).
 */

import { quantizeInt4 } from '../kernels/int4-matrix';
import type { KernelSet, NoiseSpec } from '../kernels/kernel-set';
import { gaussianAt, quantizerFor } from '../kernels/noise';

function firstBitDifference(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return `element ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

function sample(seed: number, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gaussianAt(seed, 99, i) * scale;
  return out;
}

/** Weights spanning magnitudes around eps, so the restore ledger is exercised. */
function mixedParams(n: number): Float32Array {
  const p = sample(4, n, 0.05);
  for (let i = 0; i < n; i += 7) p[i] = p[i]! * 1e-4;
  for (let i = 3; i < n; i += 11) p[i] = 0;
  return p;
}

function sortedLedger(index: Uint32Array, value: Float32Array, count: number): string {
  const rows: [number, number][] = [];
  for (let e = 0; e < count; e++) rows.push([index[e]!, value[e]!]);
  rows.sort((x, y) => x[0] - y[0]);
  return JSON.stringify(rows);
}

export interface AgreementReport {
  check: string;
  difference: string | null;
}

export function checkAgreement(
  a: KernelSet,
  b: KernelSet,
  options: { matmulTolerance: number; size?: number },
): AgreementReport[] {
  const n = options.size ?? 10_007;
  const reports: AgreementReport[] = [];
  const report = (check: string, difference: string | null) => reports.push({ check, difference });

  for (const [seed, tensor, offset, len] of [
    [1, 0, 0, 1],
    [7, 3, 1, 9],
    [0xffffffff, 2, 12_345, n],
    [42, 0, 2 ** 31 + 1, 64],
  ] as const) {
    const x = new Float32Array(len);
    const y = new Float32Array(len);
    a.gaussian(x, seed, tensor, offset);
    b.gaussian(y, seed, tensor, offset);
    report(`gaussian seed=${seed} offset=${offset} n=${len}`, firstBitDifference(x, y));
  }
  for (const len of [1, 2, n]) {
    const ra = a.gaussianRange(5, 1, len);
    const rb = b.gaussianRange(5, 1, len);
    report(
      `gaussianRange n=${len}`,
      ra.min === rb.min && ra.max === rb.max ? null : `${JSON.stringify(ra)} vs ${JSON.stringify(rb)}`,
    );
  }
  for (const bits of [4, 8]) {
    const input = sample(2, n, 3);
    const oa = new Float32Array(n);
    const ob = new Float32Array(n);
    const ca = new Uint8Array(n);
    const cb = new Uint8Array(n);
    const qa = a.stochasticRound(input, oa, bits, 11, 4, ca);
    const qb = b.stochasticRound(input, ob, bits, 11, 4, cb);
    const codes = ca.every((v, i) => v === cb[i]) ? null : 'codes differ';
    const sameQuantizer = (['scale', 'zeroPoint', 'levels', 'min', 'max'] as const).every(
      (key) => qa[key] === qb[key],
    );
    const quantizer = sameQuantizer ? null : `quantizer ${JSON.stringify(qa)} vs ${JSON.stringify(qb)}`;
    report(`stochasticRound bits=${bits}`, firstBitDifference(oa, ob) ?? codes ?? quantizer);
  }
  for (const quantized of [false, true]) {
    const pa = mixedParams(n);
    const pb = pa.slice();
    const original = pa.slice();
    const range = a.gaussianRange(9, 2, n + 5);
    const noise: NoiseSpec = {
      seed: 9,
      tensor: 2,
      quantizer: quantized ? quantizerFor(range.min, range.max, 4) : null,
    };
    const offset = 5;
    const ia = new Uint32Array(n);
    const va = new Float32Array(n);
    const ib = new Uint32Array(n);
    const vb = new Float32Array(n);
    const ha = new Uint8Array((n + 7) >> 3);
    const hb = new Uint8Array((n + 7) >> 3);
    const eps = 1e-3;
    const countA = a.perturbPlus(pa, offset, noise, eps, ha, ia, va);
    const countB = b.perturbPlus(pb, offset, noise, eps, hb, ib, vb);
    const label = quantized ? '4-bit' : 'full precision';
    const sameHints = () => (ha.every((v, i) => v === hb[i]) ? null : 'hint bits differ');
    report(
      `perturbPlus ${label}`,
      firstBitDifference(pa, pb) ??
        sameHints() ??
        (countA !== countB
          ? `ledger ${countA} vs ${countB}`
          : sortedLedger(ia, va, countA) === sortedLedger(ib, vb, countB)
            ? null
            : 'ledger entries differ'),
    );
    const hinted = ha.reduce((s, v) => s + (v ? 1 : 0), 0);
    report(
      `perturbPlus ${label} uses hint bits and the ledger`,
      countA > 0 && hinted > 0 ? null : `ledger ${countA}, hint bytes ${hinted}: inputs do not exercise both`,
    );
    a.perturbMinus(pa, offset, noise, eps, ha, ia, va, countA);
    b.perturbMinus(pb, offset, noise, eps, hb, ib, vb, countB);
    report(`perturbMinus ${label}`, firstBitDifference(pa, pb) ?? sameHints());
    a.perturbRestore(pa, offset, noise, eps, ha, ia, va, countA);
    b.perturbRestore(pb, offset, noise, eps, hb, ib, vb, countB);
    report(`perturbRestore ${label}`, firstBitDifference(pa, pb) ?? firstBitDifference(pa, original));
  }
  for (const quantized of [false, true]) {
    const pa = mixedParams(n);
    const pb = pa.slice();
    const dirs = [3, 4, 5].map((seed, j) => {
      const r = a.gaussianRange(seed, 1, n + 1);
      return {
        seed,
        coefficient: [0.7, -1.3, 0.02][j]!,
        quantizer: quantized ? quantizerFor(r.min, r.max, 4) : null,
      };
    });
    a.update(pa, 1, 1, dirs, 0.01, 0.1);
    b.update(pb, 1, 1, dirs, 0.01, 0.1);
    report(`update ${quantized ? '4-bit' : 'full precision'} x3 directions`, firstBitDifference(pa, pb));
  }
  for (const [m, k, nOut, withZeros, withLora] of [
    [3, 70, 13, true, true],
    [1, 256, 64, false, false],
    [4, 96, 33, true, false],
  ] as const) {
    const w = quantizeInt4(sample(6, k * nOut, 0.1), k, nOut, 32);
    if (!withZeros) delete w.zeroPoints;
    const x = sample(7, m * k, 1);
    const lora = withLora
      ? { a: sample(8, k * 4, 0.1), b: sample(9, 4 * nOut, 0.1), rank: 4, scale: 2 }
      : null;
    const ya = new Float32Array(m * nOut);
    const yb = new Float32Array(m * nOut);
    a.matmulInt4(x, m, w, lora, ya);
    b.matmulInt4(x, m, w, lora, yb);
    let worst = 0;
    let norm = 0;
    for (let i = 0; i < ya.length; i++) {
      worst = Math.max(worst, Math.abs(ya[i]! - yb[i]!));
      norm = Math.max(norm, Math.abs(ya[i]!));
    }
    const tolerance = options.matmulTolerance * Math.max(1, norm);
    const label = `matmulInt4 m=${m} k=${k} n=${nOut}${withZeros ? ' zero points' : ''}${withLora ? ' + LoRA' : ''}`;
    report(
      label,
      options.matmulTolerance === 0
        ? firstBitDifference(ya, yb)
        : worst <= tolerance
          ? null
          : `max abs difference ${worst} > ${tolerance}`,
    );
  }
  return reports;
}
