/**
 * `adapter_config.json` of a Hugging Face PEFT LoRA adapter: the keys this package reads, checked
 * with zod. Unknown keys are kept (and written back) but otherwise ignored, as PEFT does; features
 * whose tensors this package cannot apply (DoRA, trained biases) are refused with a clear error.
 * Key semantics follow `peft/tuners/lora/config.py` and `layer.py` (scaling alpha/r, or
 * alpha/sqrt(r) with rsLoRA; per-module rank and alpha through `rank_pattern` / `alpha_pattern`).
 */
import { z } from 'zod';
import { AdapterFormatError } from '../errors/adapter-format-error';

export const PeftLoraConfigSchema = z.looseObject({
  peft_type: z.string().optional(),
  task_type: z.string().nullable().optional(),
  base_model_name_or_path: z.string().nullable().optional(),
  r: z.number().int().min(1).default(8),
  lora_alpha: z.number().finite().default(8),
  lora_dropout: z.number().optional(),
  target_modules: z
    .union([z.array(z.string()), z.string()])
    .nullable()
    .optional(),
  bias: z.string().default('none'),
  fan_in_fan_out: z.boolean().default(false),
  use_rslora: z.boolean().default(false),
  use_dora: z.boolean().default(false),
  modules_to_save: z.array(z.string()).nullable().optional(),
  rank_pattern: z.record(z.string(), z.number().int().min(1)).default({}),
  alpha_pattern: z.record(z.string(), z.number().finite()).default({}),
});

export type PeftLoraConfig = z.infer<typeof PeftLoraConfigSchema>;

/** Parses and checks an `adapter_config.json` object. */
export function parsePeftConfig(raw: unknown, path?: string): PeftLoraConfig {
  const parsed = PeftLoraConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AdapterFormatError(
      'invalid-config',
      `adapter_config.json is not a valid LoRA config: ${issues}`,
      path,
    );
  }
  const config = parsed.data;
  if (config.peft_type !== undefined && config.peft_type !== 'LORA') {
    throw new AdapterFormatError(
      'unsupported-format',
      `adapter_config.json has peft_type "${config.peft_type}"; only LORA adapters are supported`,
      path,
    );
  }
  if (config.use_dora) {
    throw new AdapterFormatError(
      'unsupported-feature',
      'this adapter uses DoRA (use_dora: true), whose magnitude vectors this runtime cannot apply; merge it or retrain as plain LoRA',
      path,
    );
  }
  if (config.bias !== 'none') {
    throw new AdapterFormatError(
      'unsupported-feature',
      `this adapter trains biases (bias: "${config.bias}"); only bias "none" is supported`,
      path,
    );
  }
  return config;
}

/** PEFT's `get_pattern_key`: the pattern key whose regex matches the end of the module name. */
function patternValue(patterns: Record<string, number>, module: string): number | undefined {
  for (const [key, value] of Object.entries(patterns)) {
    if (new RegExp(`^(.*\\.)?(${key})$`).test(module)) return value;
  }
  return undefined;
}

/** Rank, alpha and scaling that `config` gives `module` (a name without the `base_model.model.` prefix). */
export function moduleScaling(
  config: PeftLoraConfig,
  module: string,
): { rank: number; alpha: number; scaling: number } {
  const rank = patternValue(config.rank_pattern, module) ?? config.r;
  const alpha = patternValue(config.alpha_pattern, module) ?? config.lora_alpha;
  return { rank, alpha, scaling: config.use_rslora ? alpha / Math.sqrt(rank) : alpha / rank };
}

/** PEFT's `check_target_module_exists`: a string is a full-match regex, a list matches by name suffix. */
export function isTargetModule(config: PeftLoraConfig, module: string): boolean {
  const targets = config.target_modules;
  if (targets === null || targets === undefined) return true;
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(module);
  return targets.some((t) => module === t || module.endsWith(`.${t}`));
}

/** Escapes a module name for use as an exact `rank_pattern` / `alpha_pattern` key. */
export function exactPatternKey(module: string): string {
  return module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
