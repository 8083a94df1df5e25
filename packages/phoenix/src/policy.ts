/**
 * The policy seam: anything that picks one of an environment's candidate actions (the embedded
 * chimera-nano model with the active Self's adapter, or a language-model backend) implements
 * `Policy`. The runner never knows which.
 */
import type { CandidateAction, Observation, TaskSpec } from '@chimera/toolbelt';

export interface DecisionRequest {
  task: TaskSpec;
  /** Name of the active Self (its adapter is what the policy runs with). */
  self: string;
  observation: Observation;
  /** Short texts of the previous steps of this episode, oldest first (the episode's state). */
  history: string[];
  candidates: CandidateAction[];
  /** Sample from the policy's distribution (training) instead of taking its best action (evaluation). */
  explore: boolean;
  /** Uniform [0,1) draw, from the caller's seeded stream, used when exploring. */
  uniform: number;
}

export interface PolicyDecision {
  index: number;
  /** log π(chosen | context). */
  logProb: number;
  /** The policy's value estimate V(s) for TD errors. */
  value: number;
  /** The exact context the policy read: stored so that learning later sees the same input. */
  context: PolicyContext;
  /** Reasoning text, when the policy produces any (a language model's thought process). */
  thought?: string;
}

export interface Policy {
  readonly name: string;
  decide(request: DecisionRequest): Promise<PolicyDecision>;
  /** V(s) for a state the policy did not act in (the final state of an episode). */
  value(request: Omit<DecisionRequest, 'candidates' | 'explore' | 'uniform'>): Promise<number>;
}

/** What a policy reads for one decision (structured, so a model can weigh the parts). */
export interface PolicyContext {
  goal: string;
  self: string;
  observation: string;
  /** The last few steps of this episode, oldest first. */
  history: string[];
}

/** How many previous steps a policy sees. */
export const HISTORY_WINDOW = 4;

export function policyContext(
  request: Pick<DecisionRequest, 'task' | 'self' | 'observation' | 'history'>,
): PolicyContext {
  return {
    goal: request.task.goal,
    self: request.self,
    observation: request.observation.text,
    history: request.history.slice(-HISTORY_WINDOW),
  };
}

/** The same context as one string, for text-reading policies (language models). */
export function policyContextText(context: PolicyContext): string {
  return [
    `goal: ${context.goal}`,
    `self: ${context.self}`,
    `observation: ${context.observation}`,
    context.history.length > 0 ? `done so far: ${context.history.join(' ; ')}` : 'done so far: nothing',
  ].join('\n');
}

/**
 * Picks an action from logits: the argmax (evaluation), or when exploring a draw from the
 * behaviour distribution (1 - epsilon) * softmax(logits / temperature) + epsilon * uniform (or
 * epsilon * `explorationWeights`, a distribution over the candidates, when given).
 * The uniform share matters: an untrained scorer is often sure of one wrong action, and with
 * sparse rewards an agent that never tries the others never sees a success to learn from.
 * Returns the index and its log-probability under the distribution that chose it.
 */
export function chooseFromLogits(
  logits: ArrayLike<number>,
  explore: boolean,
  uniform: number,
  temperature = 1,
  epsilon = 0,
  explorationWeights?: ArrayLike<number>,
): { index: number; logProb: number } {
  const n = logits.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]! / temperature);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.exp(logits[i]! / temperature - max);
  const softmaxLog = (i: number) => logits[i]! / temperature - max - Math.log(total);
  if (!explore) {
    let index = 0;
    for (let i = 1; i < n; i++) if (logits[i]! > logits[index]!) index = i;
    return { index, logProb: softmaxLog(index) };
  }
  const eps = Math.min(1, Math.max(0, epsilon));
  // The exploring share: uniform, or the given distribution (e.g. episodic memory's untried actions).
  const weights = explorationWeights && explorationWeights.length === n ? explorationWeights : undefined;
  const explorationProb = (i: number) => (weights ? weights[i]! : 1 / n);
  let index = 0;
  if (uniform < eps) {
    if (weights) {
      let u = uniform / eps;
      for (index = 0; index < n - 1; index++) {
        u -= weights[index]!;
        if (u < 0) break;
      }
    } else {
      index = Math.min(n - 1, Math.floor((uniform / eps) * n));
    }
  } else {
    let u = ((uniform - eps) / (1 - eps)) * total;
    for (index = 0; index < n - 1; index++) {
      u -= Math.exp(logits[index]! / temperature - max);
      if (u <= 0) break;
    }
  }
  const logProb =
    eps > 0
      ? Math.log((1 - eps) * Math.exp(softmaxLog(index)) + eps * explorationProb(index))
      : softmaxLog(index);
  return { index, logProb };
}

/** A uniform random policy: the baseline that every learning claim is compared against. */
export class RandomPolicy implements Policy {
  readonly name = 'random';
  async decide(request: DecisionRequest): Promise<PolicyDecision> {
    const n = request.candidates.length;
    return {
      index: Math.min(n - 1, Math.floor(request.uniform * n)),
      logProb: -Math.log(n),
      value: 0,
      context: policyContext(request),
    };
  }
  async value(): Promise<number> {
    return 0;
  }
}
