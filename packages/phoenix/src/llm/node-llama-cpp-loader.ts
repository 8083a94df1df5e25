/**
 * Loading node-llama-cpp, an optional peer dependency: imported only when an in-process backend is
 * used, so @chimera/phoenix installs and runs without it. Also the GGUF checks made before llama.cpp
 * sees a file (llama.cpp's own errors are a bare "failed to load model"): the model file exists and
 * is a GGUF model, and an adapter is a LoRA for that model's architecture and tensor shapes.
 */
import { access } from 'node:fs/promises';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import { LanguageModelError } from './language-model-error';

export type NodeLlamaCppModule = typeof NodeLlamaCpp;

export const NODE_LLAMA_CPP_VERSION = '3.21.1';
const INSTALL = `npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION} (or pnpm add / yarn add)`;

/** Imports node-llama-cpp, or throws `missing-dependency` saying how to install it. */
export async function loadNodeLlamaCpp(specifier = 'node-llama-cpp'): Promise<NodeLlamaCppModule> {
  try {
    return (await import(specifier)) as NodeLlamaCppModule;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new LanguageModelError(
        'missing-dependency',
        `the in-process backend needs node-llama-cpp, an optional peer dependency of @chimera/phoenix that is not installed: run \`${INSTALL}\` in your project (its prebuilt binaries for your platform come with it), or use OpenAICompatibleBackend with a llama.cpp server`,
        { cause: error },
      );
    }
    throw error;
  }
}

export interface GgufSummary {
  path: string;
  architecture: string | undefined;
  /** `general.type` (`model`, `adapter`), when the file says. */
  type: string | undefined;
  metadata: Record<string, unknown>;
  /** Tensor name -> dims, innermost first (GGUF order). */
  tensors: Map<string, number[]>;
}

/** Reads a local GGUF file's header (never a URL), or throws `model-file` saying what is wrong. */
export async function readGgufSummary(
  module: NodeLlamaCppModule,
  path: string,
  what: 'model' | 'adapter',
): Promise<GgufSummary> {
  try {
    await access(path);
  } catch (cause) {
    throw new LanguageModelError(
      what === 'model' ? 'model-file' : 'unknown-adapter',
      `no ${what === 'model' ? 'GGUF model' : 'GGUF LoRA adapter'} file at ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  let info: Awaited<ReturnType<NodeLlamaCppModule['readGgufFileInfo']>>;
  try {
    info = await module.readGgufFileInfo(path, {
      readTensorInfo: true,
      sourceType: 'filesystem',
      logWarnings: false,
    });
  } catch (cause) {
    throw new LanguageModelError(
      'model-file',
      `${path} is not a readable GGUF file (${(cause as Error).message}); it may be truncated or in another format (convert Hugging Face weights with llama.cpp's convert_hf_to_gguf.py, adapters with exportSelfToGguf)`,
      { cause },
    );
  }
  const metadata = info.metadata as unknown as Record<string, unknown>;
  const general = (metadata.general ?? {}) as { architecture?: string; type?: string };
  const tensors = new Map<string, number[]>();
  for (const t of info.fullTensorInfo ?? info.tensorInfo ?? []) tensors.set(t.name, t.dimensions.map(Number));
  return { path, architecture: general.architecture, type: general.type, metadata, tensors };
}

/**
 * Throws `wrong-base-model` unless `adapter` is a LoRA whose every `<tensor>.lora_a` [in, r] and
 * `.lora_b` [r, out] fits a tensor [in, out] of `model`, on the same architecture.
 */
export function checkAdapterFits(model: GgufSummary, adapter: GgufSummary): void {
  const fail = (why: string) =>
    new LanguageModelError(
      'wrong-base-model',
      `LoRA adapter ${adapter.path} does not fit the model ${model.path}: ${why}. An adapter only works on the base model it was trained for; export the Self for this model (exportSelfToGguf with its architecture and heads), or load its own base model`,
    );
  const adapterType = (adapter.metadata.adapter as { type?: string } | undefined)?.type;
  if (adapter.type !== 'adapter' || adapterType !== 'lora')
    throw fail(
      `it is not a LoRA adapter file (general.type "${adapter.type}", adapter.type "${adapterType}")`,
    );
  if (adapter.architecture !== model.architecture)
    throw fail(`it is for architecture "${adapter.architecture}", the model is "${model.architecture}"`);
  let pairs = 0;
  for (const [name, dims] of adapter.tensors) {
    const match = /^(.*)\.lora_([ab])$/.exec(name);
    if (!match) throw fail(`tensor ${name} is not a LoRA factor (.lora_a / .lora_b)`);
    const base = model.tensors.get(match[1]!);
    if (!base) throw fail(`the model has no tensor ${match[1]} for ${name}`);
    const [baseIn, baseOut] = base;
    const ok = match[2] === 'a' ? dims[0] === baseIn : dims[1] === baseOut;
    if (!ok || dims.length !== 2)
      throw fail(`${name} is [${dims}] (GGUF order) but ${match[1]} is [${base}]: another model size`);
    if (match[2] === 'a') pairs++;
  }
  if (pairs === 0) throw fail('it holds no LoRA factors');
}
