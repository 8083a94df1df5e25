/**
 * chimera-nano's frozen base: a hashed embedding table and three orthogonal d x d projections,
 * all derived from one seed. Nothing here is trained; adapters (LoRA) carry everything learned.
 */
import type { NanoConfig } from './nano-config';
import { NanoModelError } from './nano-error';
import { orthogonalMatrix, seededNormal } from './seeded-random';

/** A named frozen matrix, row-major [rows, cols]; a linear layer computes `x @ data` (x has `rows` features). */
export interface NamedMatrix {
  name: string;
  rows: number;
  cols: number;
  data: Float32Array;
}

/** The projections of the ONNX graph (the parts a quantizer may replace with 4-bit layers). */
export type NanoBaseProjection = 'mlp1' | 'mlp2' | 'out';

export const NANO_BASE_PROJECTIONS: readonly NanoBaseProjection[] = ['mlp1', 'mlp2', 'out'];

export interface NanoBaseWeights {
  /** [buckets, dim], entries N(0, 1/dim): random hashed-token vectors, nearly orthogonal to each other. */
  embedding: NamedMatrix;
  /** Shared hidden layers (tanh), then the output projection that both towers read through. */
  mlp1: NamedMatrix;
  mlp2: NamedMatrix;
  out: NamedMatrix;
}

/** Derives every frozen weight from `seed`. Same seed and config, same bytes. */
export function createBaseWeights(config: NanoConfig, seed: number): NanoBaseWeights {
  const { dim, buckets, gain } = config;
  const normal = seededNormal(seed ^ 0x51ed270b);
  const table = new Float32Array(buckets * dim);
  const std = 1 / Math.sqrt(dim);
  for (let i = 0; i < table.length; i++) table[i] = normal() * std;
  const square = (name: NanoBaseProjection, salt: number): NamedMatrix => ({
    name: `${name}.weight`,
    rows: dim,
    cols: dim,
    data: orthogonalMatrix(dim, (seed + salt) >>> 0, gain),
  });
  return {
    embedding: { name: 'embedding.weight', rows: buckets, cols: dim, data: table },
    mlp1: square('mlp1', 0x1001),
    mlp2: square('mlp2', 0x2002),
    out: square('out', 0x3003),
  };
}

/** Checks user-provided base weights against the config (e.g. weights loaded from a file). */
export function checkBaseWeights(weights: NanoBaseWeights, config: NanoConfig): void {
  const expect = (m: NamedMatrix | undefined, label: string, rows: number, cols: number) => {
    if (!m || m.rows !== rows || m.cols !== cols || m.data.length !== rows * cols) {
      throw new NanoModelError(
        `base weight ${label} must be [${rows}, ${cols}] with ${rows * cols} values for this config, got ${
          m ? `[${m.rows}, ${m.cols}] with ${m.data.length}` : 'nothing'
        }`,
      );
    }
  };
  expect(weights.embedding, 'embedding', config.buckets, config.dim);
  for (const p of NANO_BASE_PROJECTIONS) expect(weights[p], p, config.dim, config.dim);
}
