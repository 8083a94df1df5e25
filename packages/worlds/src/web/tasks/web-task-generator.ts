/**
 * The web task generator for the curriculum: eight families, seeded and parameterized, each with
 * difficulty levels, a goal sentence and a reward function read from server-side state. Three
 * families (site-conventions, procedures, distractors) need knowledge that is not in the goal text.
 */
import type { TaskFamilyInfo, TaskGenerator } from '@chimera/toolbelt';
import { WebWorldError } from '../web-world-error';
import { checkoutFamily } from './families/checkout';
import { distractorsFamily } from './families/distractors';
import { formFillingFamily } from './families/form-filling';
import { multiTabFamily } from './families/multi-tab';
import { navigationFamily } from './families/navigation';
import { siteProceduresFamily } from './families/procedures';
import { searchExtractFamily } from './families/search-extract';
import { siteConventionsFamily } from './families/site-conventions';
import type { WebTaskFamily, WebTaskSpec } from './web-task';

export const WEB_TASK_FAMILIES: readonly WebTaskFamily[] = [
  navigationFamily,
  searchExtractFamily,
  formFillingFamily,
  checkoutFamily,
  multiTabFamily,
  siteConventionsFamily,
  siteProceduresFamily,
  distractorsFamily,
];

export function webTaskFamily(name: string): WebTaskFamily {
  const family = WEB_TASK_FAMILIES.find((f) => f.info.family === name);
  if (!family) {
    throw new WebWorldError(
      `unknown web task family "${name}"; families: ${WEB_TASK_FAMILIES.map((f) => f.info.family).join(', ')}`,
    );
  }
  return family;
}

export interface WebTaskGenerator extends TaskGenerator {
  generate(options: {
    family: string;
    difficulty: number;
    seed: number;
    split: 'train' | 'heldout';
  }): WebTaskSpec;
}

export function createWebTaskGenerator(): WebTaskGenerator {
  return {
    environment: 'web',
    families: (): TaskFamilyInfo[] =>
      WEB_TASK_FAMILIES.map((f) => ({ ...f.info, difficulties: [...f.info.difficulties] })),
    generate({ family, difficulty, seed, split }) {
      const f = webTaskFamily(family);
      if (!f.info.difficulties.includes(difficulty)) {
        throw new WebWorldError(
          `family "${family}" has no difficulty ${difficulty}; it has ${f.info.difficulties.join(', ')}`,
        );
      }
      if (!Number.isInteger(seed) || seed < 0) {
        throw new WebWorldError(`seed must be a non-negative integer, got ${seed}`);
      }
      if (split !== 'train' && split !== 'heldout') {
        throw new WebWorldError(`split must be "train" or "heldout", got ${String(split)}`);
      }
      return f.generate(difficulty, seed, split);
    },
  };
}
