import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { nanoBaseModelId, nanoExpectation, nanoToPeft, peftToNano } from './nano-peft';
import { deltaWeight } from './peft-adapter';
import { readPeftAdapter, writePeftAdapter } from './peft-directory';

let model: NanoPolicyModel;
const root = mkdtempSync(join(tmpdir(), 'chimera-peft-'));
let counter = 0;
const fresh = () => join(root, `a${counter++}`);

beforeAll(async () => {
  model = await NanoPolicyModel.create();
});
afterAll(async () => {
  await model.release();
  rmSync(root, { recursive: true, force: true });
});

/**
 * A PEFT-layout writer independent of the package: hand-built safetensors (JSON header, u64
 * little-endian length, raw bytes) and an adapter_config.json with the keys PEFT's LoraConfig writes.
 */
function writeFixture(
  dir: string,
  config: Record<string, unknown>,
  tensors: Record<string, { dtype: 'F32' | 'BF16'; shape: number[]; values: number[] }>,
) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(config));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = Buffer.alloc(t.values.length * (t.dtype === 'F32' ? 4 : 2));
    t.values.forEach((v, i) => {
      if (t.dtype === 'F32') bytes.writeFloatLE(v, i * 4);
      else {
        const f = Buffer.alloc(4);
        f.writeFloatLE(v);
        bytes.writeUInt16LE(f.readUInt16LE(2), i * 2); // bf16 = top half of float32 (values chosen exact)
      }
    });
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(join(dir, 'adapter_model.safetensors'), Buffer.concat([length, json, ...chunks]));
}

const peftConfig = (extra: Record<string, unknown> = {}) => ({
  alpha_pattern: {},
  auto_mapping: null,
  base_model_name_or_path: 'org/tiny-llm',
  bias: 'none',
  fan_in_fan_out: false,
  inference_mode: true,
  init_lora_weights: true,
  layers_pattern: null,
  layers_to_transform: null,
  lora_alpha: 16,
  lora_dropout: 0.05,
  modules_to_save: null,
  peft_type: 'LORA',
  r: 4,
  rank_pattern: {},
  revision: null,
  target_modules: ['q_proj', 'v_proj'],
  task_type: 'CAUSAL_LM',
  use_dora: false,
  use_rslora: false,
  ...extra,
});
const seq = (n: number, scale: number) => Array.from({ length: n }, (_, i) => ((i % 7) - 3) * scale);
const q = 'base_model.model.model.layers.0.self_attn.q_proj';
const v = 'base_model.model.model.layers.0.self_attn.v_proj';

describe('PEFT adapter directories', () => {
  it('round-trips a chimera-nano adapter bit for bit', async () => {
    const lora = model.createLora(11);
    lora.get('query.lora_b').forEach((_, i, t) => {
      t[i] = Math.sin(i) / 3;
    });
    lora.get('lexical.weight').set([0.5, -1, 0, 2, 1e-7]);
    const dir = fresh();
    // #region peft-round-trip
    const adapter = nanoToPeft(lora, nanoBaseModelId(model));
    await writePeftAdapter(dir, adapter, { version: 'v1' });
    const { adapter: read, info } = await readPeftAdapter(dir, nanoExpectation(model));
    const back = peftToNano(read, model); // the same LoraWeights values, bit for bit
    // #endregion
    expect(info.version).toBe('v1');
    expect(info.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const name of lora.names()) {
      expect(Buffer.from(back.get(name).buffer).equals(Buffer.from(lora.get(name).buffer))).toBe(true);
    }
    const again = fresh();
    await writePeftAdapter(again, read, { version: 'v1' });
    for (const file of ['adapter_model.safetensors', 'adapter_config.json']) {
      expect(readFileSync(join(again, file)).equals(readFileSync(join(dir, file)))).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      r: 8,
      lora_alpha: 8,
      target_modules: ['key', 'query'],
      modules_to_save: ['lexical', 'value'],
    });
    // PEFT's orientation: lora_A [r, in] is the transpose of chimera-nano's lora_a [in, r].
    const a = read.modules.get('query')!;
    expect([a.rank, a.inFeatures]).toEqual([8, 64]);
    expect(a.a[1 * 64 + 5]).toBe(lora.get('query.lora_a')[5 * 8 + 1]);
  });

  it('loads a PEFT-layout adapter written by an independent writer, with scaling alpha / r', async () => {
    const dir = fresh();
    writeFixture(dir, peftConfig(), {
      [`${q}.lora_A.weight`]: { dtype: 'F32', shape: [4, 6], values: seq(24, 0.5) },
      [`${q}.lora_B.weight`]: { dtype: 'F32', shape: [5, 4], values: seq(20, 0.25) },
      [`${v}.lora_A.weight`]: { dtype: 'F32', shape: [4, 6], values: seq(24, 1) },
      [`${v}.lora_B.weight`]: { dtype: 'F32', shape: [5, 4], values: seq(20, 1) },
    });
    const { adapter, info } = await readPeftAdapter(dir, { baseModel: 'org/tiny-llm' });
    expect(info.checksum).toBeNull();
    const m = adapter.modules.get('model.layers.0.self_attn.q_proj')!;
    expect([m.rank, m.inFeatures, m.outFeatures, m.alpha, m.scaling]).toEqual([4, 6, 5, 16, 4]);
    const delta = deltaWeight(m);
    const A = seq(24, 0.5);
    const B = seq(20, 0.25);
    let expected = 0;
    for (let k = 0; k < 4; k++) expected += B[2 * 4 + k]! * A[k * 6 + 3]!;
    expect(delta[2 * 6 + 3]).toBeCloseTo(4 * expected, 10);
  });

  it('applies rank_pattern, alpha_pattern and rsLoRA, and reads BF16', async () => {
    const dir = fresh();
    writeFixture(
      dir,
      peftConfig({ use_rslora: true, rank_pattern: { v_proj: 2 }, alpha_pattern: { v_proj: 8 } }),
      {
        [`${q}.lora_A.weight`]: { dtype: 'BF16', shape: [4, 6], values: seq(24, 0.5) },
        [`${q}.lora_B.weight`]: { dtype: 'BF16', shape: [5, 4], values: seq(20, 0.25) },
        [`${v}.lora_A.weight`]: { dtype: 'BF16', shape: [2, 6], values: seq(12, 1) },
        [`${v}.lora_B.weight`]: { dtype: 'BF16', shape: [5, 2], values: seq(10, 1) },
      },
    );
    const { adapter } = await readPeftAdapter(dir);
    expect(adapter.dtype).toBe('BF16');
    expect(adapter.modules.get('model.layers.0.self_attn.q_proj')!.scaling).toBe(16 / 2);
    expect(adapter.modules.get('model.layers.0.self_attn.v_proj')!.scaling).toBeCloseTo(8 / Math.SQRT2, 12);
    expect(Array.from(adapter.modules.get('model.layers.0.self_attn.q_proj')!.a)).toEqual(seq(24, 0.5));
  });

  it('folds alpha / r into chimera-nano factors', async () => {
    const dir = fresh();
    const d = 64;
    const tensors: Parameters<typeof writeFixture>[2] = {};
    for (const p of ['query', 'key']) {
      tensors[`base_model.model.${p}.lora_A.weight`] = {
        dtype: 'F32',
        shape: [2, d],
        values: seq(2 * d, 0.01),
      };
      tensors[`base_model.model.${p}.lora_B.weight`] = {
        dtype: 'F32',
        shape: [d, 2],
        values: seq(2 * d, 0.02),
      };
    }
    tensors['base_model.model.value.weight'] = { dtype: 'F32', shape: [d], values: seq(d, 0.1) };
    tensors['base_model.model.value.bias'] = { dtype: 'F32', shape: [1], values: [0.5] };
    tensors['base_model.model.lexical.weight'] = { dtype: 'F32', shape: [5], values: [1, 2, 3, 4, 5] };
    writeFixture(
      dir,
      peftConfig({
        base_model_name_or_path: nanoBaseModelId(model),
        r: 2,
        lora_alpha: 6,
        target_modules: ['query', 'key'],
        modules_to_save: ['value', 'lexical'],
      }),
      tensors,
    );
    const { adapter } = await readPeftAdapter(dir, nanoExpectation(model));
    const lora = peftToNano(adapter, model);
    expect(lora.shapeOf('query.lora_a')).toEqual([d, 2]);
    expect(lora.shapeOf('query.lora_b')).toEqual([2, d]);
    const B = seq(2 * d, 0.02);
    // nano b[k, i] = scaling * B[i, k] with scaling 3
    expect(lora.get('query.lora_b')[1 * d + 10]).toBeCloseTo(3 * B[10 * 2 + 1]!, 6);
    const scores = await model.score(
      [{ context: 'fill in the form', candidates: ['type name', 'click submit'] }],
      lora,
    );
    expect(scores.logits[0]!.every(Number.isFinite)).toBe(true);
  });

  describe('strict validation', () => {
    const valid = () => {
      const dir = fresh();
      writeFixture(dir, peftConfig(), {
        [`${q}.lora_A.weight`]: { dtype: 'F32', shape: [4, 6], values: seq(24, 1) },
        [`${q}.lora_B.weight`]: { dtype: 'F32', shape: [5, 4], values: seq(20, 1) },
      });
      return dir;
    };
    const codeOf = async (dir: string, expect?: Parameters<typeof readPeftAdapter>[1]) => {
      const error = await readPeftAdapter(dir, expect).then(
        () => null,
        (e: unknown) => e,
      );
      return AdapterFormatError.isInstance(error) ? `${error.code}: ${error.message}` : String(error);
    };

    it('names what is wrong', async () => {
      expect(await codeOf(valid(), { baseModel: 'org/other' })).toMatch(
        /^wrong-base-model: .*"org\/tiny-llm".*"org\/other"/,
      );
      expect(
        await codeOf(valid(), {
          modules: { 'model.layers.0.self_attn.q_proj': { inFeatures: 6, outFeatures: 7 } },
        }),
      ).toMatch(/^wrong-shape: .*5x6 rank 4; the model needs 7x6/);
      expect(
        await codeOf(valid(), {
          modules: { 'model.layers.0.self_attn.k_proj': { inFeatures: 6, outFeatures: 5 } },
        }),
      ).toMatch(/^missing-tensor: .*no LoRA module "model.layers.0.self_attn.k_proj"/);
      const missingB = fresh();
      writeFixture(missingB, peftConfig(), {
        [`${q}.lora_A.weight`]: { dtype: 'F32', shape: [4, 6], values: seq(24, 1) },
      });
      expect(await codeOf(missingB)).toMatch(/^missing-tensor: .*has lora_A but no lora_B/);
      const wrongRank = fresh();
      writeFixture(wrongRank, peftConfig(), {
        [`${q}.lora_A.weight`]: { dtype: 'F32', shape: [3, 6], values: seq(18, 1) },
        [`${q}.lora_B.weight`]: { dtype: 'F32', shape: [5, 3], values: seq(15, 1) },
      });
      expect(await codeOf(wrongRank)).toMatch(/^wrong-shape: .*config gives it rank 4/);
      const truncated = valid();
      const file = join(truncated, 'adapter_model.safetensors');
      writeFileSync(file, readFileSync(file).subarray(0, 60));
      expect(await codeOf(truncated)).toMatch(/^corrupt-file: .*truncated or damaged/);
      const dora = valid();
      writeFileSync(join(dora, 'adapter_config.json'), JSON.stringify(peftConfig({ use_dora: true })));
      expect(await codeOf(dora)).toMatch(/^unsupported-feature: .*DoRA/);
      const badJson = valid();
      writeFileSync(join(badJson, 'adapter_config.json'), '{"r": 4,');
      expect(await codeOf(badJson)).toMatch(/^invalid-config: .*not valid JSON/);
      const badConfig = valid();
      writeFileSync(join(badConfig, 'adapter_config.json'), JSON.stringify(peftConfig({ r: 0 })));
      expect(await codeOf(badConfig)).toMatch(/^invalid-config: .*r:/);
      const untargeted = valid();
      writeFileSync(
        join(untargeted, 'adapter_config.json'),
        JSON.stringify(peftConfig({ target_modules: ['k_proj'] })),
      );
      expect(await codeOf(untargeted)).toMatch(/^unexpected-tensor: .*not among target_modules/);
      const pickle = fresh();
      mkdirSync(pickle);
      writeFileSync(join(pickle, 'adapter_config.json'), JSON.stringify(peftConfig()));
      writeFileSync(join(pickle, 'adapter_model.bin'), 'x');
      expect(await codeOf(pickle)).toMatch(/^unsupported-format: .*PyTorch pickle/);
      expect(await codeOf(fresh())).toMatch(/^missing-file: /);
    });

    it('detects tensors changed after writing through the checksum', async () => {
      const dir = fresh();
      await writePeftAdapter(dir, nanoToPeft(model.createLora(1), nanoBaseModelId(model)), { version: 'v1' });
      const file = join(dir, 'adapter_model.safetensors');
      const bytes = readFileSync(file);
      bytes[bytes.length - 3]! ^= 0x40;
      writeFileSync(file, bytes);
      expect(await codeOf(dir)).toMatch(/^checksum-mismatch: /);
    });
  });
});
