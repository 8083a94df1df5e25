/**
 * The controller's prior belief that a Self succeeds at a sub-task, from roster metadata: skill
 * words shared with the sub-task's skills (and the task's tags and family), and whether the Self
 * acts in the task's environment. It is a prior, not a rule: a few pseudo-episodes that real
 * outcomes soon outweigh.
 */
import type { TaskSpec } from '@chimera/toolbelt';
import type { SubTask } from './task-planner';

export interface SelfProfile {
  name: string;
  /** Text the controller's adapter reads (name, function, skills). */
  description: string;
  skills: string[];
  /** Environments it acts in; empty = any. */
  environments: string[];
}

export interface PriorOptions {
  /** Pseudo-episodes of the prior (alpha + beta). Default 4. */
  strength?: number;
  /** Prior mean with no shared skill. Default 0.35. */
  base?: number;
  /** Added per shared skill word, up to three. Default 0.15. */
  perSkill?: number;
  /** Prior mean of a Self that does not act in the task's environment. Default 0.1. */
  foreign?: number;
}

export interface BetaPrior {
  alpha: number;
  beta: number;
  /** Shared skill words (for the decision's reason). */
  matched: string[];
}

export function skillPrior(
  self: SelfProfile,
  task: TaskSpec,
  subtask: SubTask,
  options: PriorOptions = {},
): BetaPrior {
  const strength = options.strength ?? 4;
  const wanted = new Set([...subtask.skills, task.family].map((s) => s.toLowerCase()));
  const matched = self.skills.filter((s) => wanted.has(s.toLowerCase()));
  const foreign = self.environments.length > 0 && !self.environments.includes(task.environment);
  const mean = foreign
    ? (options.foreign ?? 0.1)
    : Math.min(0.9, (options.base ?? 0.35) + (options.perSkill ?? 0.15) * Math.min(matched.length, 3));
  return { alpha: mean * strength, beta: (1 - mean) * strength, matched };
}
