/**
 * Realistic experience inputs for tests and the benchmark: a web form-filling step of about
 * 1.4 KB of JSON (observation, tool call, TAL result, reasoning), deterministic per index.
 */
import type { ExperienceInput, Outcome } from '../schema/experience-schema';

export interface StepSpec {
  episodeId: string;
  step: number;
  agentId?: string;
  self?: string;
  selfVersion?: string;
  environment?: string;
  family?: string;
  tags?: string[];
  reward?: number;
  /** Set on the episode's last step. */
  outcome?: Outcome;
  startedAtMs?: number;
}

export function webStep(spec: StepSpec): ExperienceInput {
  const { episodeId, step } = spec;
  const typed = step % 2 === 0 ? 'alice@example.com' : '12 Main St';
  const record: ExperienceInput = {
    episodeId,
    step,
    agentId: spec.agentId ?? 'agent-0',
    state: {
      data: {
        url: 'http://127.0.0.1:4173/shop/checkout',
        title: 'Checkout',
        fields: [
          { ref: 'e1', role: 'textbox', name: 'Email', value: '' },
          { ref: 'e2', role: 'textbox', name: 'Address', value: step > 1 ? '12 Main St' : '' },
          { ref: 'e3', role: 'button', name: 'Place order' },
        ],
        headings: ['Checkout', 'Shipping'],
      },
      text: 'textbox e1 "Email"; textbox e2 "Address"; button e3 "Place order"',
    },
    action: {
      call: { tool: 'browser_type', args: { ref: step % 2 === 0 ? 'e1' : 'e2', text: typed } },
      result: { ok: true, tool: 'browser_type', value: { typed: true, step }, durationMs: 12.5 + step },
    },
    reward: spec.reward ?? 0.1,
    nextState: {
      data: {
        url: 'http://127.0.0.1:4173/shop/checkout',
        title: 'Checkout',
        fields: [
          { ref: 'e1', role: 'textbox', name: 'Email', value: 'alice@example.com' },
          { ref: 'e2', role: 'textbox', name: 'Address', value: step > 0 ? '12 Main St' : '' },
          { ref: 'e3', role: 'button', name: 'Place order' },
        ],
      },
      text: 'textbox e1 "Email"="alice@example.com"; textbox e2 "Address"; button e3 "Place order"',
    },
    metadata: {
      environment: spec.environment ?? 'web',
      self: { name: spec.self ?? 'form-filler', version: spec.selfVersion ?? '3' },
      task: {
        id: 'task-checkout-7',
        goal: 'Buy one blue mug and ship it to 12 Main St',
        family: spec.family ?? 'form-filling',
        difficulty: 2,
      },
      thoughtProcess: `Step ${step}: the ${step % 2 === 0 ? 'email' : 'address'} field is empty, so I type it from the goal before placing the order.`,
      timestamps: { startedAt: new Date(spec.startedAtMs ?? 1_700_000_000_000 + step * 1000).toISOString() },
      tags: spec.tags ?? ['form-filling', 'checkout'],
    },
  };
  if (spec.outcome !== undefined) {
    record.outcome = spec.outcome;
    if (spec.outcome === 'truncated') record.truncated = true;
    else record.terminal = true;
  }
  return record;
}

/** A whole episode of `length` steps ending in `outcome`. */
export function webEpisode(
  episodeId: string,
  length: number,
  outcome: Outcome,
  spec: Omit<StepSpec, 'episodeId' | 'step' | 'outcome'> = {},
): ExperienceInput[] {
  return Array.from({ length }, (_, step) =>
    webStep({ ...spec, episodeId, step, outcome: step === length - 1 ? outcome : undefined }),
  );
}
