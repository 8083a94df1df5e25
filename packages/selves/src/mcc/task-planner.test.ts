import type { TaskSpec } from '@chimera/toolbelt';
import { describe, expect, it } from 'vitest';
import { advanceSubtask, ModelDrivenPlanner, TemplatePlanner } from './task-planner';

const task: TaskSpec = {
  id: 't1',
  environment: 'web',
  family: 'checkout',
  difficulty: 1,
  goal: 'Buy the blue mug and pay by invoice',
  seed: 1,
  split: 'train',
  needsExperience: false,
  maxSteps: 10,
  tags: ['navigation', 'forms', 'checkout', 'site:shop', 'train'],
  params: {},
};

describe('task planners', () => {
  it('the template splits navigation + forms into locate and complete, and advances on form controls', () => {
    const plan = new TemplatePlanner().plan(task);
    expect(plan.subtasks.map((s) => [s.id, s.skills])).toEqual([
      ['locate', ['navigation']],
      ['complete', ['forms', 'checkout']],
    ]);
    const patterns = new Map<string, RegExp>();
    expect(advanceSubtask(plan, 0, { text: 'e1 link "Mugs"', data: {} }, patterns)).toBe(0);
    expect(advanceSubtask(plan, 0, { text: 'e4 textbox "Name"', data: {} }, patterns)).toBe(1);
    expect(new TemplatePlanner({ split: false }).plan(task).subtasks).toHaveLength(1);
    expect(
      new TemplatePlanner().plan({ ...task, tags: ['forms'], family: 'form-filling' }).subtasks[0],
    ).toMatchObject({
      id: 'main',
      skills: ['forms', 'form-filling'],
    });
  });

  it('the model-driven planner uses a valid answer and falls back to the template otherwise', async () => {
    // #region model-planner
    const planner = new ModelDrivenPlanner({
      // Any language model client: prompt in, text out.
      complete: async () =>
        '{"subtasks":[{"id":"find-mug","description":"open the mug page","skills":["navigation"],"advanceWhen":"Add to cart"},{"id":"pay","description":"check out","skills":["checkout"]}]}',
    });
    const plan = await planner.plan(task); // source: 'model', two sub-tasks
    // #endregion
    expect(plan.source).toBe('model');
    expect(plan.subtasks.map((s) => s.id)).toEqual(['find-mug', 'pay']);
    const broken = await new ModelDrivenPlanner({ complete: async () => 'I would first look around.' }).plan(
      task,
    );
    expect(broken.source).toMatch(/^template \(model output rejected/);
    expect(broken.subtasks.map((s) => s.id)).toEqual(['locate', 'complete']);
    const badRegex = await new ModelDrivenPlanner({
      complete: async () => '{"subtasks":[{"id":"a","description":"x","skills":[],"advanceWhen":"("}]}',
    }).plan(task);
    expect(badRegex.source).toMatch(/rejected/);
  });
});
