/**
 * Server-side adapter management for Selves: vLLM's runtime LoRA loading and unloading
 * (`/v1/load_lora_adapter`, `/v1/unload_lora_adapter`, which vLLM serves when started with
 * `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True` and `--enable-lora`), the served model list, and the
 * check that an adapter was trained on the model the server runs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LanguageModelError } from './language-model-error';
import type { OpenAICompatibleBackend } from './openai-compatible-backend';

export interface ServedModel {
  id: string;
  /** vLLM: the base model's path or hub id. */
  root?: string;
  /** vLLM: the base model of a LoRA entry (null for the base itself). */
  parent?: string | null;
}

/** `GET /v1/models`. */
export async function servedModels(backend: OpenAICompatibleBackend): Promise<ServedModel[]> {
  const url = `${backend.baseUrl}/models`;
  const response = await backend.request(url, { method: 'GET' });
  const text = await response.text();
  if (!response.ok)
    throw new LanguageModelError('http-error', `${url} answered ${response.status}: ${text.slice(0, 200)}`, {
      url,
      status: response.status,
    });
  try {
    const json = JSON.parse(text) as { data?: ServedModel[] };
    return (json.data ?? []).filter((m) => typeof m.id === 'string');
  } catch {
    throw new LanguageModelError('bad-response', `${url} did not return JSON: ${text.slice(0, 200)}`, {
      url,
    });
  }
}

/** Same model when the ids are equal or end in the same path segment (hub id vs local copy). */
export function sameBaseModel(a: string, b: string): boolean {
  const last = (s: string) =>
    s
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop()!
      .toLowerCase();
  return a === b || last(a) === last(b);
}

/**
 * Throws `wrong-base-model` when the PEFT adapter in `adapterDir` names a base model other than
 * `servedModel` (its `adapter_config.json` `base_model_name_or_path`). An adapter that names no base
 * passes: there is nothing to compare.
 */
export async function checkAdapterBaseModel(adapterDir: string, servedModel: string): Promise<void> {
  const path = join(adapterDir, 'adapter_config.json');
  let config: { base_model_name_or_path?: unknown };
  try {
    config = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new LanguageModelError(
      'bad-response',
      `cannot read ${path}: ${(cause as Error).message}; is ${adapterDir} a PEFT adapter directory?`,
      { cause },
    );
  }
  const base = config.base_model_name_or_path;
  if (typeof base === 'string' && base !== '' && !sameBaseModel(base, servedModel)) {
    throw new LanguageModelError(
      'wrong-base-model',
      `adapter ${adapterDir} was trained on "${base}" but the server runs "${servedModel}"; an adapter only works on its own base model (serve "${base}", or train/convert the Self for "${servedModel}")`,
    );
  }
}

/**
 * Loads a PEFT adapter directory into a running vLLM server under `name` (then `model: name` in a
 * request runs the Self). Checks the adapter's base model against what the server runs first,
 * unless `checkBaseModel` is false (the directory must then exist where the server runs, not here).
 * Loading a name that is already loaded is not an error.
 */
export async function loadVllmLoraAdapter(
  backend: OpenAICompatibleBackend,
  options: { name: string; path: string; checkBaseModel?: boolean },
): Promise<void> {
  const baseUrl = backend.baseUrl;
  if (options.checkBaseModel !== false) {
    const models = await servedModels(backend);
    const base = models.find((m) => m.parent === null || m.parent === undefined);
    if (base) await checkAdapterBaseModel(options.path, base.root ?? base.id);
  }
  await vllmAdapterCall(
    backend,
    `${baseUrl}/load_lora_adapter`,
    { lora_name: options.name, lora_path: options.path },
    /already (been )?loaded/i,
  );
}

/** Unloads an adapter from a running vLLM server. Unloading a name that is not loaded is an error. */
export async function unloadVllmLoraAdapter(
  backend: OpenAICompatibleBackend,
  options: { name: string },
): Promise<void> {
  await vllmAdapterCall(backend, `${backend.baseUrl}/unload_lora_adapter`, { lora_name: options.name });
}

async function vllmAdapterCall(
  backend: OpenAICompatibleBackend,
  url: string,
  body: Record<string, string>,
  harmless?: RegExp,
): Promise<void> {
  const response = await backend.request(url, { method: 'POST', body: JSON.stringify(body) });
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const text = await response.text();
  if (harmless?.test(text)) return;
  if (response.status === 404 && !/lora|adapter/i.test(text)) {
    throw new LanguageModelError(
      'http-error',
      `${url} does not exist on this server: start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True and --enable-lora to load adapters at run time (or list them in --lora-modules)`,
      { url, status: 404 },
    );
  }
  throw new LanguageModelError(
    response.status === 404 ? 'unknown-adapter' : 'http-error',
    `${url} answered ${response.status}: ${text.slice(0, 300)}`,
    { url, status: response.status },
  );
}
