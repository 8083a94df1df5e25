import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { halfToFloat } from '@chimera/runtime-cuda';
import { gguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { createPeftAdapter, deltaWeight, type PeftAdapter } from '../format/peft-adapter';
import { ADAPTER_WEIGHTS_FILE } from '../format/peft-directory';
import { SelfLibrary } from '../library/self-library';
import { exportSelfToGguf, peftToGgufLora, writeGgufLora } from './gguf-lora';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const BASE = 'test/tiny-llama';
const hidden = 8;
const heads = { attention: 2, keyValue: 1 };
const headDim = hidden / heads.attention;

/** An adapter for a tiny Llama (hidden 8, 2 heads, 1 KV head, FFN 16) with mixed ranks and alphas. */
function tinyLlamaAdapter(): PeftAdapter {
  const module = (inFeatures: number, outFeatures: number, rank: number, alpha: number, seed: number) => ({
    inFeatures,
    outFeatures,
    rank,
    alpha,
    a: seeded(rank * inFeatures, seed),
    b: seeded(outFeatures * rank, seed + 1),
  });
  return createPeftAdapter({
    baseModel: BASE,
    modules: {
      'model.layers.0.self_attn.q_proj': module(hidden, hidden, 2, 4, 10),
      'model.layers.0.self_attn.k_proj': module(hidden, headDim * heads.keyValue, 2, 4, 20),
      // Rank 4, alpha 2: PEFT scaling 0.5, while llama.cpp would use 4 / 4 = 1 (folded into lora_b).
      'model.layers.0.self_attn.v_proj': module(hidden, headDim * heads.keyValue, 4, 2, 30),
      'model.layers.1.mlp.down_proj': module(16, hidden, 2, 4, 40),
    },
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chimera-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Tensor data read at the offsets the independent parser reports. */
function tensorData(
  bytes: Uint8Array,
  dataOffset: bigint,
  info: { offset: bigint; shape: bigint[] },
  dtype: 0 | 1,
) {
  const count = info.shape.reduce((x, y) => x * Number(y), 1);
  const start = Number(dataOffset + info.offset);
  const copy = bytes.slice(start, start + count * (dtype === 0 ? 4 : 2));
  return dtype === 0
    ? new Float32Array(copy.buffer)
    : Float32Array.from(new Uint16Array(copy.buffer), halfToFloat);
}

describe('GGUF LoRA export', () => {
  it('writes a file that @huggingface/gguf parses with the same metadata, tensor names and shapes', async () => {
    const adapter = tinyLlamaAdapter();
    const file = join(dir, 'form-filler.gguf');
    // #region export-gguf
    await writeGgufLora(file, adapter, { architecture: 'llama', heads: { attention: 2, keyValue: 1 } });
    // llama-server -m base.gguf --lora form-filler.gguf
    // #endregion
    const parsed = await gguf(file, { allowLocalFile: true });
    expect(parsed.metadata.version).toBe(3);
    expect(parsed.metadata['general.architecture']).toBe('llama');
    expect(parsed.metadata['general.type' as never]).toBe('adapter');
    expect(parsed.metadata['adapter.type' as never]).toBe('lora');
    expect(parsed.metadata['adapter.lora.alpha' as never]).toBe(4);
    expect(parsed.metadata['chimera.base_model' as never]).toBe(BASE);
    expect(parsed.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype])).toEqual([
      ['blk.0.attn_k.weight.lora_a', [hidden, 2], 0],
      ['blk.0.attn_k.weight.lora_b', [2, 4], 0],
      ['blk.0.attn_q.weight.lora_a', [hidden, 2], 0],
      ['blk.0.attn_q.weight.lora_b', [2, hidden], 0],
      ['blk.0.attn_v.weight.lora_a', [hidden, 4], 0],
      ['blk.0.attn_v.weight.lora_b', [4, 4], 0],
      ['blk.1.ffn_down.weight.lora_a', [16, 2], 0],
      ['blk.1.ffn_down.weight.lora_b', [2, hidden], 0],
    ]);
    for (const t of parsed.tensorInfos) expect(Number(parsed.tensorDataOffset + t.offset) % 32).toBe(0);

    // The data: lora_a is PEFT's lora_A as is; llama.cpp's delta (alpha / rank) * B A equals PEFT's
    // scaling * B A, with q and k rows in llama.cpp's rotary order.
    const bytes = new Uint8Array(await readFile(file));
    const info = (name: string) => parsed.tensorInfos.find((t) => t.name === name)!;
    const read = (name: string) => tensorData(bytes, parsed.tensorDataOffset, info(name), 0);
    const check = (module: string, tensor: string, rotaryHeads?: number) => {
      const m = adapter.modules.get(module)!;
      expect(Array.from(read(`${tensor}.weight.lora_a`))).toEqual(Array.from(m.a));
      const b = read(`${tensor}.weight.lora_b`);
      const rows = m.outFeatures;
      // Row order: HF pairs rotary dims (i, i + d/2) in each head; llama.cpp wants them adjacent (2i, 2i+1).
      const hfRow = (row: number) => {
        if (rotaryHeads === undefined) return row;
        const d = rows / rotaryHeads;
        const [h, within] = [Math.floor(row / d), row % d];
        return h * d + (within % 2 === 0 ? within / 2 : within / 2 - 0.5 + d / 2);
      };
      const expected = deltaWeight(m);
      const scale = 4 / m.rank;
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < m.inFeatures; c++) {
          let v = 0;
          for (let k = 0; k < m.rank; k++) v += scale * b[r * m.rank + k]! * m.a[k * m.inFeatures + c]!;
          expect(Math.abs(v - expected[hfRow(r) * m.inFeatures + c]!)).toBeLessThan(1e-6);
        }
    };
    check('model.layers.0.self_attn.q_proj', 'blk.0.attn_q', heads.attention);
    check('model.layers.0.self_attn.k_proj', 'blk.0.attn_k', heads.keyValue);
    check('model.layers.0.self_attn.v_proj', 'blk.0.attn_v');
    check('model.layers.1.mlp.down_proj', 'blk.1.ffn_down');
  });

  it('writes F16 factors on request', async () => {
    const file = join(dir, 'f16.gguf');
    await writeGgufLora(file, tinyLlamaAdapter(), { heads, dtype: 'F16' });
    const parsed = await gguf(file, { allowLocalFile: true });
    expect(new Set(parsed.tensorInfos.map((t) => t.dtype))).toEqual(new Set([1]));
    const bytes = new Uint8Array(await readFile(file));
    const a = tensorData(bytes, parsed.tensorDataOffset, parsed.tensorInfos[6]!, 1);
    const want = tinyLlamaAdapter().modules.get('model.layers.1.mlp.down_proj')!.a;
    for (let i = 0; i < want.length; i++) expect(Math.abs(a[i]! - want[i]!)).toBeLessThan(1e-3);
  });

  it('exports a Self from the library with its name, and refuses a damaged adapter file with a clear error', async () => {
    const library = await SelfLibrary.open(join(dir, 'library'), { baseModel: BASE });
    await library.register({ name: 'Form_Filler', function: 'Completes web forms.' }, tinyLlamaAdapter());
    const file = join(dir, 'Form_Filler.gguf');
    await exportSelfToGguf(library, 'Form_Filler', file, { heads });
    const parsed = await gguf(file, { allowLocalFile: true });
    expect(parsed.metadata['general.name' as never]).toBe('Form_Filler');
    expect(parsed.metadata['chimera.self' as never]).toBe('Form_Filler');
    expect(parsed.metadata['chimera.version' as never]).toBe('v1');

    await truncate(join(library.adapterDir('Form_Filler', 'v1'), ADAPTER_WEIGHTS_FILE), 200);
    const error = await exportSelfToGguf(library, 'Form_Filler', join(dir, 'broken.gguf'), { heads }).catch(
      (e: unknown) => e,
    );
    expect(AdapterFormatError.isInstance(error)).toBe(true);
    expect((error as AdapterFormatError).code).toBe('corrupt-file');
    expect((error as Error).message).toMatch(/not a valid safetensors file \(truncated or damaged\?\)/);
  });

  it('names what cannot be exported: unknown module names, missing head counts, full tensors', () => {
    const nano = createPeftAdapter({
      baseModel: 'chimera-nano/d64',
      modules: { mlp1: { rank: 2, inFeatures: 4, outFeatures: 4, a: seeded(8, 1), b: seeded(8, 2) } },
      saved: { 'value.weight': { shape: [4], data: seeded(4, 3) } },
    });
    expect(() => peftToGgufLora(nano)).toThrow(/trains full tensors \(value.weight\).*dropSaved: true/);
    expect(() => peftToGgufLora(nano, { dropSaved: true })).toThrow(
      /module "mlp1" has no llama.cpp tensor name.*options.tensorName/,
    );
    const mapped = peftToGgufLora(nano, {
      dropSaved: true,
      architecture: 'gpt2',
      tensorName: (m) => (m === 'mlp1' ? 'blk.0.ffn_up' : undefined),
    });
    expect(new TextDecoder().decode(mapped.subarray(0, 4))).toBe('GGUF');
    expect(() => peftToGgufLora(tinyLlamaAdapter())).toThrow(
      /k projection of a llama-architecture model.*options.heads/,
    );
  });
});
