/**
 * A Self as a llama.cpp LoRA adapter (GGUF). The layout follows llama.cpp's own converter
 * (convert_lora_to_gguf.py) and loader (src/llama-adapter.cpp):
 * - metadata `general.type = "adapter"`, `general.architecture` equal to the base model's (the
 *   loader refuses a mismatch), `adapter.type = "lora"`, `adapter.lora.alpha` (float32);
 * - tensors `<base tensor>.lora_a` and `.lora_b`, e.g. `blk.0.attn_q.weight.lora_a`, holding PEFT's
 *   `lora_A` [r, in] and `lora_B` [out, r] unchanged in memory (GGUF lists dims innermost first,
 *   so they read [in, r] and [r, out]: what the loader checks against the base tensor);
 * - llama.cpp scales by alpha / rank of each tensor, with one alpha per file: a module whose PEFT
 *   scaling differs (rank_pattern, alpha_pattern, rsLoRA) has the difference folded into lora_b;
 * - for the `llama` architecture, the converter permutes the rows of q and k projections (rotary
 *   layout), and so the rows of their lora_b: done here too, given the head counts.
 * The PEFT directory stays the format for vLLM; this file is only for llama.cpp.
 */
import { rename, writeFile } from 'node:fs/promises';
import { floatToHalf } from '@chimera/runtime-cuda';
import { AdapterFormatError } from '../errors/adapter-format-error';
import type { PeftAdapter } from '../format/peft-adapter';
import type { SelfLibrary } from '../library/self-library';
import { type GgufTensor, type GgufValue, writeGguf } from './gguf-writer';

export interface GgufLoraOptions {
  /** llama.cpp architecture of the base model (`general.architecture`). Default `llama`. */
  architecture?: string;
  /**
   * Base tensor name (without `.weight`) of a PEFT module, e.g. `model.layers.0.self_attn.q_proj`
   * -> `blk.0.attn_q`; undefined for a module llama.cpp has no tensor for. Default:
   * `llamaTensorName` (Hugging Face Llama / Mistral / Qwen2 module names).
   */
  tensorName?: (module: string) => string | undefined;
  /**
   * Attention heads of the base model: needed for the `llama` architecture when q or k projections
   * are adapted (their rows are permuted as the base weights were).
   */
  heads?: { attention: number; keyValue?: number };
  /** Element type of the factors. Default F32. */
  dtype?: 'F32' | 'F16';
  /** `general.name`. */
  name?: string;
  /** Extra string metadata (written as given, after the required keys). */
  metadata?: Record<string, string>;
  /**
   * Tensors trained in full (PEFT `modules_to_save`) have no place in a llama.cpp LoRA file. By
   * default they are an error; true leaves them out.
   */
  dropSaved?: boolean;
}

const LLAMA_MODULES: Record<string, string> = {
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/** llama.cpp's tensor name for a Hugging Face Llama-family module name (without `.weight`). */
export function llamaTensorName(module: string): string | undefined {
  if (module === 'lm_head') return 'output';
  const layer = /^model\.layers\.(\d+)\.(.+)$/.exec(module);
  if (!layer) return undefined;
  const part = LLAMA_MODULES[layer[2]!];
  return part === undefined ? undefined : `blk.${layer[1]}.${part}`;
}

/** Rows of a [rows, cols] matrix reordered as llama.cpp's converter reorders q/k weights. */
function permuteRotaryRows(
  data: Float32Array,
  rows: number,
  cols: number,
  heads: number,
  what: string,
): Float32Array {
  const perHead = rows / heads;
  if (!Number.isInteger(perHead) || perHead % 2 !== 0) {
    throw new AdapterFormatError(
      'wrong-shape',
      `${what}: ${rows} output rows do not split into ${heads} heads of an even size; check options.heads`,
    );
  }
  const half = perHead / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < half; i++)
      for (let j = 0; j < 2; j++) {
        const to = h * perHead + i * 2 + j;
        const from = h * perHead + j * half + i;
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
  return out;
}

function tensorBytes(data: Float32Array, dtype: 'F32' | 'F16'): Uint8Array {
  if (dtype === 'F32')
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const half = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]!);
  return new Uint8Array(half.buffer);
}

/**
 * The GGUF bytes of a LoRA adapter for llama.cpp (`llama-server --lora`, `llama_adapter_lora_init`).
 * @throws AdapterFormatError for a module with no llama.cpp tensor, missing head counts, or full
 * tensors that a LoRA file cannot hold.
 */
export function peftToGgufLora(adapter: PeftAdapter, options: GgufLoraOptions = {}): Uint8Array {
  const architecture = options.architecture ?? 'llama';
  const tensorName = options.tensorName ?? llamaTensorName;
  const dtype = options.dtype ?? 'F32';
  if (adapter.saved.size > 0 && !options.dropSaved) {
    throw new AdapterFormatError(
      'unsupported-feature',
      `the adapter trains full tensors (${[...adapter.saved.keys()].join(', ')}), which a llama.cpp LoRA file cannot hold; pass dropSaved: true to export the LoRA factors alone`,
    );
  }
  const alpha = adapter.config.lora_alpha;
  const tensors: GgufTensor[] = [];
  for (const [module, m] of [...adapter.modules].sort(([x], [y]) => x.localeCompare(y))) {
    const base = tensorName(module);
    if (base === undefined) {
      throw new AdapterFormatError(
        'unsupported-format',
        `module "${module}" has no llama.cpp tensor name under the default Hugging Face Llama mapping; pass options.tensorName to map this model's module names (e.g. to "blk.N.attn_q")`,
      );
    }
    let b = m.b;
    // llama.cpp computes scale * B A with scale = alpha / rank (or 1 when alpha is 0).
    const llamaScale = alpha !== 0 ? alpha / m.rank : 1;
    if (m.scaling !== llamaScale) b = b.map((v) => (v * m.scaling) / llamaScale);
    const rotary = /\.attn_(q|k)$/.exec(base);
    if (architecture === 'llama' && rotary) {
      const heads =
        rotary[1] === 'q' ? options.heads?.attention : (options.heads?.keyValue ?? options.heads?.attention);
      if (heads === undefined) {
        throw new AdapterFormatError(
          'invalid-config',
          `module "${module}" is a ${rotary[1]} projection of a llama-architecture model, whose rows llama.cpp stores permuted by head; pass options.heads ({ attention: num_attention_heads, keyValue: num_key_value_heads } from the base model's config.json)`,
        );
      }
      b = permuteRotaryRows(b, m.outFeatures, m.rank, heads, `module "${module}"`);
    }
    tensors.push(
      {
        name: `${base}.weight.lora_a`,
        dims: [m.inFeatures, m.rank],
        type: dtype,
        data: tensorBytes(m.a, dtype),
      },
      {
        name: `${base}.weight.lora_b`,
        dims: [m.rank, m.outFeatures],
        type: dtype,
        data: tensorBytes(b, dtype),
      },
    );
  }
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', { type: 'string', value: architecture }],
    ['general.type', { type: 'string', value: 'adapter' }],
    ['adapter.type', { type: 'string', value: 'lora' }],
    ['adapter.lora.alpha', { type: 'float32', value: alpha }],
  ]);
  if (options.name !== undefined) metadata.set('general.name', { type: 'string', value: options.name });
  const baseModel = adapter.config.base_model_name_or_path;
  if (baseModel) metadata.set('chimera.base_model', { type: 'string', value: baseModel });
  for (const [key, value] of Object.entries(options.metadata ?? {}))
    metadata.set(key, { type: 'string', value });
  return writeGguf(metadata, tensors);
}

/** Writes `peftToGgufLora(adapter)` to `file` atomically (a temporary file renamed into place). */
export async function writeGgufLora(
  file: string,
  adapter: PeftAdapter,
  options: GgufLoraOptions = {},
): Promise<number> {
  const bytes = peftToGgufLora(adapter, options);
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
  return bytes.length;
}

/**
 * Exports the current (or a given) version of a Self from the library as a GGUF LoRA file, named
 * and tagged with the Self's metadata. Returns the bytes written.
 */
export async function exportSelfToGguf(
  library: SelfLibrary,
  self: string,
  file: string,
  options: GgufLoraOptions & { version?: string } = {},
): Promise<number> {
  const adapter = await library.loadAdapter(self, options.version);
  const metadata = library.metadata(self);
  return writeGgufLora(file, adapter, {
    ...options,
    name: options.name ?? metadata.name,
    metadata: {
      'chimera.self': metadata.name,
      'chimera.version': options.version ?? library.current(self),
      'chimera.function': metadata.function,
      ...options.metadata,
    },
  });
}
