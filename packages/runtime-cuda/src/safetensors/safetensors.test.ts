import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float32Tensor, tensorToFloat32 } from './convert';
import { SAFETENSORS_DTYPES } from './dtypes';
import { loadSafetensors, readSafetensors, saveSafetensors, writeSafetensors } from './safetensors';
import { SafetensorsError } from './safetensors-error';

const dir = mkdtempSync(join(tmpdir(), 'chimera-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a file by hand: u64 length, header text (padded as given), data bytes. */
function rawFile(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function headerText(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (error) {
    expect(SafetensorsError.isInstance(error)).toBe(true);
    expect((error as SafetensorsError).code).toBe(code);
    return error as SafetensorsError;
  }
  throw new Error(`expected a SafetensorsError with code ${code}`);
}

describe('writeSafetensors matches Hugging Face serialize() byte for byte', () => {
  // Expected outputs are those of the upstream tests in huggingface/safetensors safetensors/src/tensor.rs.
  it('single F32 tensor whose header needs no padding', () => {
    const out = writeSafetensors({
      'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    expect(out.length).toBe(8 + 64 + 24);
    expect(Array.from(out.subarray(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(headerText(out)).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect(Array.from(out.subarray(72, 80))).toEqual([0, 0, 0, 0, 0, 0, 128, 63]);
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const out = writeSafetensors({
      attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    expect(Array.from(out.subarray(0, 8))).toEqual([72, 0, 0, 0, 0, 0, 0, 0]);
    expect(headerText(out)).toBe(
      `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${' '.repeat(7)}`,
    );
  });

  it('empty file, with and without metadata', () => {
    expect(Array.from(writeSafetensors({}))).toEqual([
      8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32,
    ]);
    const withMeta = writeSafetensors({}, { framework: 'pt' });
    expect(withMeta[0]).toBe(40);
    expect(headerText(withMeta)).toBe(`{"__metadata__":{"framework":"pt"}}${' '.repeat(5)}`);
  });

  it('orders tensors by descending dtype alignment, then by name', () => {
    const out = writeSafetensors({
      b_u8: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      a_u8: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
      z_f32: { dtype: 'F32', shape: [1], data: new Float32Array([1]) },
      bf: { dtype: 'BF16', shape: [2], data: new Uint16Array([1, 2]) },
      big: { dtype: 'I64', shape: [1], data: new BigInt64Array([-5n]) },
    });
    const header = JSON.parse(headerText(out)) as Record<string, unknown>;
    expect(Object.keys(header)).toEqual(['big', 'z_f32', 'bf', 'a_u8', 'b_u8']);
  });
});

describe('readSafetensors', () => {
  it('round-trips every dtype, rank-0 and empty tensors, and metadata', () => {
    const bitsOf = (dtype: string) =>
      dtype === 'F4'
        ? 4
        : dtype.startsWith('F6_')
          ? 6
          : /64/.test(dtype)
            ? 64
            : /32/.test(dtype)
              ? 32
              : /16/.test(dtype)
                ? 16
                : 8;
    const input: Record<
      string,
      { dtype: (typeof SAFETENSORS_DTYPES)[number]; shape: number[]; data: Uint8Array }
    > = {};
    SAFETENSORS_DTYPES.forEach((dtype, i) => {
      // Sub-byte types need numel x bits divisible by 8; others cycle through empty and non-empty shapes.
      const shape = bitsOf(dtype) < 8 ? [4, 2] : [i % 3, 2];
      const length = (shape.reduce((a, b) => a * b, 1) * bitsOf(dtype)) / 8;
      input[`t_${dtype}`] = { dtype, shape, data: Uint8Array.from({ length }, (_, k) => (k * 7 + i) & 255) };
    });
    input.scalar = { dtype: 'F64', shape: [], data: new Uint8Array(new Float64Array([Math.PI]).buffer) };
    const bytes = writeSafetensors(input, { format: 'pt', note: 'quote " and é' });
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt', note: 'quote " and é' });
    for (const [name, t] of Object.entries(input)) {
      const got = back.tensors.get(name);
      expect(got?.dtype).toBe(t.dtype);
      expect(got?.shape).toEqual(t.shape);
      expect(
        Array.from(new Uint8Array(got!.data.buffer, got!.data.byteOffset, got!.data.byteLength)),
      ).toEqual(Array.from(t.data));
    }
    expect(back.tensors.get('scalar')?.data).toEqual(new Float64Array([Math.PI]));
    expect(back.tensors.get('t_I64')?.data).toBeInstanceOf(BigInt64Array);
    expect(back.tensors.get('t_BF16')?.data).toBeInstanceOf(Uint16Array);
    // Writing what was read gives the same bytes back.
    expect(writeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
  });

  it('accepts an older file ordered by name, not alignment', () => {
    const data = new Uint8Array([1, 2, 0, 0, 128, 63]);
    const file = rawFile(
      '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}',
      data,
    );
    const back = readSafetensors(file);
    expect(back.tensors.get('b')?.data).toEqual(new Float32Array([1]));
    expect(back.metadata).toBeUndefined();
  });

  const f32 = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const cases: [string, () => Uint8Array, string][] = [
    ['shorter than 8 bytes', () => new Uint8Array(5), 'header-too-small'],
    [
      'header length above 1e8',
      () => {
        const b = new Uint8Array(16);
        new DataView(b.buffer).setBigUint64(0, 100_000_001n, true);
        return b;
      },
      'header-too-large',
    ],
    ['header length past the end', () => rawFile(f32).subarray(0, 20), 'invalid-header-length'],
    ['header not UTF-8', () => rawFile('{"\u0000"}').map((b, i) => (i === 10 ? 0xff : b)), 'invalid-header'],
    ['header not JSON', () => rawFile('{"w": nope}'), 'invalid-header-deserialization'],
    ['header is an array', () => rawFile('[]'), 'invalid-header-deserialization'],
    [
      'duplicated name',
      () =>
        rawFile(
          `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`,
          new Uint8Array(2),
        ),
      'duplicate-name',
    ],
    [
      'unknown dtype',
      () => rawFile('{"w":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}}', new Uint8Array(3)),
      'unknown-dtype',
    ],
    [
      'negative dimension',
      () => rawFile('{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}'),
      'invalid-shape',
    ],
    [
      'missing offsets',
      () => rawFile('{"w":{"dtype":"U8","shape":[1]}}', new Uint8Array(1)),
      'invalid-offset',
    ],
    [
      'gap between tensors',
      () =>
        rawFile(
          '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}',
          new Uint8Array(3),
        ),
      'invalid-offset',
    ],
    [
      'overlapping tensors',
      () =>
        rawFile(
          '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
          new Uint8Array(3),
        ),
      'invalid-offset',
    ],
    [
      'size does not match dtype x numel',
      () => rawFile('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)),
      'tensor-invalid-info',
    ],
    [
      'odd count of 4-bit values',
      () => rawFile('{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}', new Uint8Array(1)),
      'misaligned-slice',
    ],
    ['trailing bytes', () => rawFile(f32, new Uint8Array(9)), 'metadata-incomplete-buffer'],
    ['truncated data', () => rawFile(f32, new Uint8Array(7)), 'metadata-incomplete-buffer'],
    ['metadata value not a string', () => rawFile('{"__metadata__":{"epoch":3}}'), 'invalid-metadata'],
  ];
  it.each(cases)('rejects a file with %s', (_what, make, code) => {
    const error = expectCode(() => readSafetensors(make()), code);
    expect(error.message).toMatch(/^safetensors: /);
  });

  it('rejects writer input whose bytes do not match its shape', () => {
    expectCode(
      () => writeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }),
      'invalid-tensor',
    );
    expectCode(
      () =>
        writeSafetensors(
          { w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } },
          { a: 1 as unknown as string },
        ),
      'invalid-metadata',
    );
  });
});

describe('files', () => {
  it('saves atomically, loads back, and a corrupt file keeps its path untouched', async () => {
    // #region safetensors-roundtrip
    const path = join(dir, 'adapter_model.safetensors');
    const loraA = float32Tensor(new Float32Array([0.5, -1, 2, 0.25]), [2, 2]);
    await saveSafetensors(path, { 'lora_A.weight': loraA }, { format: 'pt' });

    const { tensors, metadata } = await loadSafetensors(path);
    const a = tensors.get('lora_A.weight');
    // a.dtype === 'F32', a.shape = [2, 2], metadata = { format: 'pt' }
    // #endregion
    expect(a?.shape).toEqual([2, 2]);
    expect(a?.data).toEqual(new Float32Array([0.5, -1, 2, 0.25]));
    expect(metadata).toEqual({ format: 'pt' });
    expect(readSafetensors(path).tensors.get('lora_A.weight')?.dtype).toBe('F32');

    const corrupt = join(dir, 'corrupt.safetensors');
    writeFileSync(corrupt, readFileSync(path).subarray(0, 30));
    await expect(loadSafetensors(corrupt)).rejects.toThrow(/truncated/);
    await expect(loadSafetensors(join(dir, 'missing.safetensors'))).rejects.toThrow(/cannot read/);

    await expect(
      saveSafetensors(path, { w: { dtype: 'F32', shape: [5], data: new Float32Array(1) } }),
    ).rejects.toThrow(/needs 20 bytes/);
    expect(readSafetensors(path).tensors.has('lora_A.weight')).toBe(true);
  });

  it('converts F16 and BF16 to float32', () => {
    const values = new Float32Array([0, 1, -2.5, 65504, 1e-7, Number.POSITIVE_INFINITY]);
    const half = tensorToFloat32(float32Tensor(values, [6], 'F16'));
    expect(Array.from(half.subarray(0, 4))).toEqual([0, 1, -2.5, 65504]);
    expect(half[4]).toBeCloseTo(1.1920928955078125e-7, 12);
    expect(half[5]).toBe(Number.POSITIVE_INFINITY);
    const bf = tensorToFloat32(float32Tensor(new Float32Array([1, -3.140625, 1e30]), [3], 'BF16'));
    expect(bf[0]).toBe(1);
    expect(bf[1]).toBe(-3.140625);
    expect(Math.abs((bf[2] as number) / 1e30 - 1)).toBeLessThan(1 / 128);
  });
});
