/**
 * A tiny llama-architecture model written as GGUF by our own code, for checking the plumbing
 * (tests here; a user's smoke test of node-llama-cpp or a server) where no weights can be
 * downloaded: seeded random weights (it generates arbitrary
 * text, which is what the grammar-constrained tests want), a character-level SentencePiece
 * ("llama") vocabulary llama.cpp's tokenizer accepts, and a seeded GGUF LoRA for its attention
 * projections written through @chimera/selves' public exporter.
 *
 * The GGUF container comes from @chimera/selves (`writeGguf`); the layout follows llama.cpp's
 * converter: `general.architecture = "llama"`, `llama.*` hyperparameters, `tokenizer.ggml.*`, and
 * tensors `token_embd`, `blk.N.{attn_norm,attn_q,attn_k,attn_v,attn_output,ffn_norm,ffn_gate,
 * ffn_up,ffn_down}`, `output_norm`, `output`, dims innermost first (a [out, in] matrix is [in, out]).
 */
import { writeFile } from 'node:fs/promises';
import {
  createPeftAdapter,
  GGUF_VALUE_TYPE,
  type GgufTensor,
  type GgufValue,
  type PeftAdapter,
  writeGguf,
  writeGgufLora,
} from '@chimera/selves';

export interface TinyLlamaShape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  contextLength: number;
}

export const TINY_LLAMA: TinyLlamaShape = {
  layers: 2,
  hidden: 64,
  heads: 4,
  kvHeads: 2,
  feedForward: 128,
  contextLength: 16_384,
};

/** llama.cpp token types (llama.h `llama_token_type`). */
const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 } as const;

/**
 * `<unk> <s> </s>`, the 256 byte tokens `<0x00>`..`<0xFF>` (SentencePiece byte fallback), then one
 * token per printable ASCII character, with `▁` (U+2581) standing for the space as SentencePiece
 * writes it. Every text is tokenizable: what no character token covers falls back to bytes.
 */
export function tinyVocabulary(): { tokens: string[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TOKEN_TYPE.UNKNOWN, TOKEN_TYPE.CONTROL, TOKEN_TYPE.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_TYPE.BYTE);
  }
  tokens.push('\u2581');
  types.push(TOKEN_TYPE.NORMAL);
  for (let c = 0x21; c <= 0x7e; c++) {
    tokens.push(String.fromCharCode(c));
    types.push(TOKEN_TYPE.NORMAL);
  }
  return { tokens, types };
}

/** Uniform in [-scale, scale), from a 32-bit LCG: the same seed gives the same model everywhere. */
function seeded(count: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

function f32(name: string, dims: number[], data: Float32Array): GgufTensor {
  return { name, dims, type: 'F32', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** The base model's GGUF bytes. Changing `seed` changes the weights; the shape stays `shape`. */
export function tinyLlamaGguf(
  options: { seed?: number; shape?: Partial<TinyLlamaShape>; name?: string } = {},
) {
  const shape = { ...TINY_LLAMA, ...options.shape };
  const seed = options.seed ?? 1;
  const { hidden, heads, kvHeads, feedForward, layers } = shape;
  const headDim = hidden / heads;
  const kvDim = headDim * kvHeads;
  const { tokens, types } = tinyVocabulary();
  const vocab = tokens.length;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: options.name ?? 'chimera-tiny-llama' },
    'llama.context_length': { type: 'uint32', value: shape.contextLength },
    'llama.embedding_length': { type: 'uint32', value: hidden },
    'llama.block_count': { type: 'uint32', value: layers },
    'llama.feed_forward_length': { type: 'uint32', value: feedForward },
    'llama.attention.head_count': { type: 'uint32', value: heads },
    'llama.attention.head_count_kv': { type: 'uint32', value: kvHeads },
    'llama.rope.dimension_count': { type: 'uint32', value: headDim },
    'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
    'llama.vocab_size': { type: 'uint32', value: vocab },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: tokens },
    // GGUF declares token types int32 (llama.cpp checks); written as uint32 (the same bytes for
    // these small numbers) and retyped below, as the selves writer has no int32 arrays.
    'tokenizer.ggml.token_type': { type: 'uint32[]', value: types },
    'tokenizer.ggml.unknown_token_id': { type: 'uint32', value: 0 },
    'tokenizer.ggml.bos_token_id': { type: 'uint32', value: 1 },
    'tokenizer.ggml.eos_token_id': { type: 'uint32', value: 2 },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
  };
  let next = seed * 1000;
  const weights = (count: number, scale: number) => seeded(count, next++, scale);
  const ones = (count: number) => new Float32Array(count).fill(1);
  const tensors: GgufTensor[] = [f32('token_embd.weight', [hidden, vocab], weights(hidden * vocab, 1))];
  const projection = 1 / Math.sqrt(hidden);
  for (let l = 0; l < layers; l++) {
    const blk = `blk.${l}`;
    tensors.push(
      f32(`${blk}.attn_norm.weight`, [hidden], ones(hidden)),
      f32(`${blk}.attn_q.weight`, [hidden, hidden], weights(hidden * hidden, projection * 2)),
      f32(`${blk}.attn_k.weight`, [hidden, kvDim], weights(hidden * kvDim, projection * 2)),
      f32(`${blk}.attn_v.weight`, [hidden, kvDim], weights(hidden * kvDim, projection)),
      f32(`${blk}.attn_output.weight`, [hidden, hidden], weights(hidden * hidden, projection)),
      f32(`${blk}.ffn_norm.weight`, [hidden], ones(hidden)),
      f32(`${blk}.ffn_gate.weight`, [hidden, feedForward], weights(hidden * feedForward, projection)),
      f32(`${blk}.ffn_up.weight`, [hidden, feedForward], weights(hidden * feedForward, projection)),
      f32(
        `${blk}.ffn_down.weight`,
        [feedForward, hidden],
        weights(feedForward * hidden, 1 / Math.sqrt(feedForward)),
      ),
    );
  }
  tensors.push(
    f32('output_norm.weight', [hidden], ones(hidden)),
    // Logits with a spread of a few units: peaked enough to be decisive, varied enough to differ.
    f32('output.weight', [hidden, vocab], weights(hidden * vocab, 0.6)),
  );
  return retypeArray(writeGguf(metadata, tensors), 'tokenizer.ggml.token_type', GGUF_VALUE_TYPE.INT32);
}

/**
 * Changes the element type of a numeric array value in place: the key is written as a uint64
 * length and its bytes, then the value type (ARRAY) and the element type, which is replaced.
 */
function retypeArray(bytes: Uint8Array, key: string, elementType: number): Uint8Array {
  const needle = new TextEncoder().encode(key);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 8; i + needle.length + 8 <= bytes.length; i++) {
    if (view.getUint32(i - 8, true) !== needle.length) continue;
    if (!needle.every((b, k) => bytes[i + k] === b)) continue;
    const at = i + needle.length;
    if (view.getUint32(at, true) !== GGUF_VALUE_TYPE.ARRAY) break;
    view.setUint32(at + 4, elementType, true);
    return bytes;
  }
  throw new Error(`GGUF key ${key} not found as an array`);
}

/**
 * A seeded LoRA (PEFT layout, Hugging Face module names) on the q, k, v and o projections of every
 * layer of a tiny llama of `shape`. `scale` multiplies both factors, so 0 gives an adapter that
 * changes nothing.
 */
export function tinyLlamaLora(
  options: {
    seed?: number;
    rank?: number;
    scale?: number;
    shape?: Partial<TinyLlamaShape>;
    baseModel?: string;
  } = {},
): PeftAdapter {
  const shape = { ...TINY_LLAMA, ...options.shape };
  const rank = options.rank ?? 4;
  const scale = options.scale ?? 1;
  const kvDim = (shape.hidden / shape.heads) * shape.kvHeads;
  let next = (options.seed ?? 7) * 1000;
  const module = (inFeatures: number, outFeatures: number) => ({
    inFeatures,
    outFeatures,
    rank,
    alpha: rank,
    a: seeded(rank * inFeatures, next++, scale),
    b: seeded(outFeatures * rank, next++, scale),
  });
  const modules: Record<string, ReturnType<typeof module>> = {};
  for (let l = 0; l < shape.layers; l++) {
    const at = `model.layers.${l}.self_attn`;
    modules[`${at}.q_proj`] = module(shape.hidden, shape.hidden);
    modules[`${at}.k_proj`] = module(shape.hidden, kvDim);
    modules[`${at}.v_proj`] = module(shape.hidden, kvDim);
    modules[`${at}.o_proj`] = module(shape.hidden, shape.hidden);
  }
  return createPeftAdapter({ baseModel: options.baseModel ?? 'chimera-tiny-llama', modules });
}

/** Writes the base model to `file`. */
export async function writeTinyLlama(
  file: string,
  options: Parameters<typeof tinyLlamaGguf>[0] = {},
): Promise<void> {
  await writeFile(file, tinyLlamaGguf(options));
}

/** Writes a LoRA for the tiny llama to `file` as llama.cpp reads it (through @chimera/selves). */
export async function writeTinyLlamaLora(
  file: string,
  options: Parameters<typeof tinyLlamaLora>[0] = {},
): Promise<void> {
  const shape = { ...TINY_LLAMA, ...options.shape };
  await writeGgufLora(file, tinyLlamaLora(options), {
    architecture: 'llama',
    heads: { attention: shape.heads, keyValue: shape.kvHeads },
  });
}
