/**
 * `--backend gguf:...|openai:...`: the reference agent's held-out evaluation driven by a language
 * model instead of chimera-nano. Each environment gets a LanguageModelPolicy over the tools its
 * sessions dispatch (read once from a probe session), and the MCC's Self choice becomes an
 * adapter switch: a Self's GGUF LoRA in process, or the server's adapter routing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DecisionRequest, Policy, PolicyDecision } from '@chimera/phoenix';
import {
  type ChatBackend,
  LanguageModelPolicy,
  NodeLlamaCppBackend,
  type NodeLlamaCppBackendOptions,
  OpenAICompatibleBackend,
  servedModels,
} from '@chimera/phoenix/llm';
import type { AnyTool, Environment } from '@chimera/toolbelt';

export interface LanguageModelSetupOptions {
  /** Directory of `<Self>.gguf` LoRA files (gguf backend). */
  selvesGguf?: string;
  /** Served model id (openai backend; default the first the server lists). */
  servedModel?: string;
  /** Extra settings of the in-process backend (threads, grammar caps, context size). */
  gguf?: Partial<Omit<NodeLlamaCppBackendOptions, 'modelPath' | 'adapters'>>;
  /** Corrections after a rejected call (LanguageModelPolicy's default 2). */
  maxCorrections?: number;
}

export interface LanguageModelSetup {
  policy: Policy;
  description: string;
  close(): Promise<void>;
}

/** `<dir>/<Self>.gguf` files as a Self -> adapter map. */
function selfAdapters(dir: string | undefined): Record<string, string> {
  if (!dir) return {};
  const root = resolve(dir);
  if (!existsSync(root)) throw new Error(`--selves-gguf ${dir}: no such directory`);
  return Object.fromEntries(
    readdirSync(root)
      .filter((f) => f.endsWith('.gguf'))
      .map((f) => [basename(f, '.gguf'), join(root, f)]),
  );
}

async function backendFor(
  spec: string,
  options: LanguageModelSetupOptions,
): Promise<{ backend: ChatBackend; description: string; close(): Promise<void> }> {
  if (spec.startsWith('gguf:')) {
    const modelPath = resolve(spec.slice('gguf:'.length));
    if (!existsSync(modelPath)) {
      throw new Error(`--backend ${spec}: no model file at ${modelPath}; give the path of a GGUF model`);
    }
    const adapters = selfAdapters(options.selvesGguf);
    // Web observations plus the tools' schemas run to a few thousand tokens.
    const backend = new NodeLlamaCppBackend({
      maxTokens: 256,
      contextSize: 8192,
      ...options.gguf,
      modelPath,
      adapters,
    });
    await backend.load();
    const selves = Object.keys(adapters);
    return {
      backend,
      description: `${basename(modelPath)} in process (node-llama-cpp)${selves.length ? `, Selves as GGUF LoRAs: ${selves.join(', ')}` : ', base model for every Self'}`,
      close: () => backend.dispose(),
    };
  }
  const baseUrl = spec.slice('openai:'.length).replace(/\/+$/, '');
  let model = options.servedModel;
  if (!model) {
    const probe = new OpenAICompatibleBackend({ baseUrl, model: 'probe' });
    const served = await servedModels(probe);
    if (served.length === 0) throw new Error(`${baseUrl}/models lists no model: pass --served-model NAME`);
    model = served[0]!.id;
  }
  return {
    backend: new OpenAICompatibleBackend({ baseUrl, model }),
    description: `${model} served at ${baseUrl}`,
    close: async () => undefined,
  };
}

/** The tools an environment's sessions dispatch, from one probe session. */
async function toolsOf(env: Environment): Promise<readonly AnyTool[]> {
  const family = env.generator.families()[0];
  if (!family) throw new Error(`environment ${env.name} has no task family to probe its tools with`);
  const task = env.generator.generate({
    family: family.family,
    difficulty: Math.min(...family.difficulties),
    seed: 0,
    split: 'train',
  });
  const session = await env.start(task);
  try {
    if (!session.tools || session.tools.length === 0) {
      throw new Error(
        `environment ${env.name} does not expose its tools (EnvironmentSession.tools): a language-model policy needs them`,
      );
    }
    return session.tools;
  } finally {
    await session.close();
  }
}

export async function languageModelSetup(
  spec: string,
  environments: readonly Environment[],
  options: LanguageModelSetupOptions = {},
): Promise<LanguageModelSetup> {
  const { backend, description, close } = await backendFor(spec, options);
  try {
    const policies = new Map<string, LanguageModelPolicy>();
    for (const env of environments) {
      policies.set(
        env.name,
        new LanguageModelPolicy({
          backend,
          tools: await toolsOf(env),
          ...(options.maxCorrections !== undefined ? { maxCorrections: options.maxCorrections } : {}),
        }),
      );
    }
    const pick = (request: { task: { environment: string } }) => {
      const policy = policies.get(request.task.environment);
      if (!policy) throw new Error(`no language-model policy for environment ${request.task.environment}`);
      return policy;
    };
    const policy: Policy = {
      name: `llm:${backend.name}`,
      decide: (request: DecisionRequest): Promise<PolicyDecision> => pick(request).decide(request),
      value: (request) => pick(request).value(),
    };
    return { policy, description, close };
  } catch (error) {
    await close();
    throw error;
  }
}
