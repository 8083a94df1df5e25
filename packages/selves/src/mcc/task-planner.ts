/**
 * Task analysis (blueprint 5.2, "metacognitive planning"): a goal becomes sub-tasks, each with the
 * skills it needs, and the controller picks a Self per sub-task. `TemplatePlanner` is the embedded
 * planner: rules over the task's skill tags, cheap enough to run at every step (one regular
 * expression on the observation). `ModelDrivenPlanner` is the seam for a language-model backend:
 * it asks the model for sub-tasks as JSON, checks them, and falls back to the template on anything
 * malformed.
 */
import type { Observation, TaskSpec } from '@chimera/toolbelt';
import { z } from 'zod';

export interface SubTask {
  /** Stable within the plan (`main`, `locate`, `complete`): part of the controller's posterior key. */
  id: string;
  description: string;
  skills: string[];
  /**
   * The controller moves on to the next sub-task once the observation text matches this (a regular
   * expression source, case-insensitive); absent on the last sub-task.
   */
  advanceWhen?: string;
}

export interface TaskPlan {
  taskId: string;
  subtasks: SubTask[];
  /** Who made it: `template`, `model`, or `template (model output rejected: ...)`. */
  source: string;
}

export interface TaskPlanner {
  plan(task: TaskSpec): TaskPlan | Promise<TaskPlan>;
}

/** Tags that describe a task's bookkeeping rather than a skill. */
export function skillTags(task: TaskSpec): string[] {
  return task.tags.filter(
    (t) =>
      !t.includes(':') && !['train', 'heldout', 'adversarial', 'multi-agent', 'collaborative'].includes(t),
  );
}

/** Web pages with form controls: the point where locating ends and filling in starts. */
export const FORM_CONTROLS = '\\b(textbox|combobox|checkbox|radio|spinbutton|searchbox)\\b';

export class TemplatePlanner implements TaskPlanner {
  constructor(private readonly options: { split?: boolean } = {}) {}

  plan(task: TaskSpec): TaskPlan {
    const skills = skillTags(task);
    const formSkills: string[] = skills.filter((s) => s === 'forms' || s === 'checkout');
    // Reach the form, then fill it in: two skills, two Selves (blueprint 5.2's web example).
    if ((this.options.split ?? true) && skills.includes('navigation') && formSkills.length > 0) {
      return {
        taskId: task.id,
        source: 'template',
        subtasks: [
          {
            id: 'locate',
            description: 'find the page that holds the form',
            skills: ['navigation'],
            advanceWhen: FORM_CONTROLS,
          },
          {
            id: 'complete',
            description: 'fill in and submit the form',
            skills: [...formSkills, ...skills.filter((s) => s !== 'navigation' && !formSkills.includes(s))],
          },
        ],
      };
    }
    return {
      taskId: task.id,
      source: 'template',
      subtasks: [{ id: 'main', description: task.goal, skills: [...skills, task.family] }],
    };
  }
}

const ModelPlanSchema = z.object({
  subtasks: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
        description: z.string().min(1).max(300),
        skills: z.array(z.string().max(40)).max(12),
        advanceWhen: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(6),
});

/** A language-model backend: prompt in, text out (an OpenAI-compatible client, node-llama-cpp, ...). */
export interface PlannerBackend {
  complete(prompt: string): Promise<string>;
}

/**
 * Asks a language model to decompose the goal. The answer must be JSON
 * `{"subtasks":[{"id","description","skills","advanceWhen"?}]}`; anything else (bad JSON, a regex
 * that does not compile) falls back to the template plan, with the reason in `source`.
 */
export class ModelDrivenPlanner implements TaskPlanner {
  private readonly fallback = new TemplatePlanner();

  constructor(private readonly backend: PlannerBackend) {}

  async plan(task: TaskSpec): Promise<TaskPlan> {
    const prompt = [
      'Decompose the task into at most 6 sub-tasks, each with the skills it needs.',
      `Task: ${task.goal}`,
      `Environment: ${task.environment}; family: ${task.family}; skill tags: ${skillTags(task).join(', ')}`,
      'Answer with JSON only: {"subtasks":[{"id":"kebab-id","description":"...","skills":["..."],"advanceWhen":"regex on the observation that means this sub-task is done (omit on the last)"}]}',
    ].join('\n');
    let reason: string;
    try {
      const text = await this.backend.complete(prompt);
      const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
      const parsed = ModelPlanSchema.safeParse(JSON.parse(json));
      if (parsed.success) {
        for (const s of parsed.data.subtasks) if (s.advanceWhen) new RegExp(s.advanceWhen, 'i');
        return { taskId: task.id, source: 'model', subtasks: parsed.data.subtasks };
      }
      reason = parsed.error.issues[0]?.message ?? 'schema mismatch';
    } catch (error) {
      reason = (error as Error).message;
    }
    return {
      ...this.fallback.plan(task),
      source: `template (model output rejected: ${reason.slice(0, 120)})`,
    };
  }
}

/** Index of the sub-task an episode is in, given the previous index and the new observation. */
export function advanceSubtask(
  plan: TaskPlan,
  index: number,
  observation: Observation,
  patterns: Map<string, RegExp>,
): number {
  let i = index;
  while (i < plan.subtasks.length - 1) {
    const source = plan.subtasks[i]!.advanceWhen;
    if (!source) break;
    let pattern = patterns.get(source);
    if (!pattern) {
      pattern = new RegExp(source, 'i');
      patterns.set(source, pattern);
    }
    if (!pattern.test(observation.text)) break;
    i++;
  }
  return i;
}
