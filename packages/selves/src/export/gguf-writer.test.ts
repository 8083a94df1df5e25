import { describe, expect, it } from 'vitest';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { GGUF_DEFAULT_ALIGNMENT, writeGguf } from './gguf-writer';

describe('writeGguf', () => {
  it('lays out magic, version, counts, key-values, tensor infos and aligned data', () => {
    const data = new Uint8Array(Float32Array.of(1, 2, 3).buffer);
    const bytes = writeGguf({ 'general.architecture': { type: 'string', value: 'llama' } }, [
      { name: 't', dims: [3], type: 'F32', data },
    ]);
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('GGUF');
    expect(view.getUint32(4, true)).toBe(3);
    expect(view.getBigUint64(8, true)).toBe(1n);
    expect(view.getBigUint64(16, true)).toBe(1n);
    // key: u64 length + "general.architecture", type STRING (8), value: u64 length + "llama"
    expect(view.getBigUint64(24, true)).toBe(20n);
    expect(view.getUint32(52, true)).toBe(8);
    // The data starts at the first multiple of 32 after the tensor infos and holds the floats.
    const dataStart = bytes.length - GGUF_DEFAULT_ALIGNMENT;
    expect(dataStart % GGUF_DEFAULT_ALIGNMENT).toBe(0);
    expect(Array.from(new Float32Array(bytes.slice(dataStart, dataStart + 12).buffer))).toEqual([1, 2, 3]);
  });

  it('refuses data that does not match its dims, and duplicate tensor names', () => {
    const four = new Uint8Array(16);
    expect(() => writeGguf({}, [{ name: 'a', dims: [2, 3], type: 'F32', data: four }])).toThrow(
      /"a": F32 \[2,3\] needs 24 bytes, got 16/,
    );
    expect(() =>
      writeGguf({}, [
        { name: 'a', dims: [4], type: 'F32', data: four },
        { name: 'a', dims: [8], type: 'F16', data: four },
      ]),
    ).toThrow(AdapterFormatError);
  });
});
