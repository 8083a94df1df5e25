/**
 * The embedded policy: chimera-nano scores the environment's candidate actions with the active
 * Self's LoRA adapter (a graph input, so a Self swap costs no reload) and samples (training) or
 * takes the best (evaluation). Its value head gives V(s) for TD errors.
 */
import type { LoraWeights, NanoPolicyModel } from '@chimera/runtime-cuda';
import type { EpisodicMemory } from './memory/episodic-memory';
import {
  chooseFromLogits,
  type DecisionRequest,
  type Policy,
  type PolicyDecision,
  policyContext,
} from './policy';

export interface EmbeddedPolicyOptions {
  model: NanoPolicyModel;
  /** The adapter of a Self (the residency cache's active copy). */
  adapterFor: (self: string) => LoraWeights;
  /** Softmax temperature when exploring (1 = the model's own distribution). */
  temperature?: number;
  /** Share of uniform choices when exploring (see chooseFromLogits). Default 0.3. */
  epsilon?: number;
  /**
   * Episodic memory of the agent's own training experience: remembered returns raise the logits
   * of actions that worked in this situation, and while exploring untried actions get a count
   * bonus (see EpisodicMemory). The cycle that records the experience fills it.
   */
  memory?: EpisodicMemory;
}

export class EmbeddedPolicy implements Policy {
  readonly name = 'chimera-nano';
  constructor(private readonly options: EmbeddedPolicyOptions) {}

  async decide(request: DecisionRequest): Promise<PolicyDecision> {
    const context = policyContext(request);
    const scores = await this.options.model.score(
      [{ context, candidates: request.candidates.map((c) => c.text) }],
      this.options.adapterFor(request.self),
    );
    let logits: ArrayLike<number> = scores.logits[0]!;
    let explorationWeights: Float64Array | undefined;
    const memory = this.options.memory;
    if (memory) {
      const adjusted = Float64Array.from(logits);
      const steer = memory.steer(
        adjusted,
        request.task,
        request.observation.data,
        request.candidates,
        request.explore,
      );
      if (steer.known) {
        logits = adjusted;
        explorationWeights = steer.explorationWeights;
      }
    }
    const { index, logProb } = chooseFromLogits(
      logits,
      request.explore,
      request.uniform,
      this.options.temperature ?? 1,
      this.options.epsilon ?? 0.3,
      explorationWeights,
    );
    return { index, logProb, value: scores.values[0]!, context };
  }

  async value(request: Omit<DecisionRequest, 'candidates' | 'explore' | 'uniform'>): Promise<number> {
    const context = policyContext(request);
    const scores = await this.options.model.score(
      [{ context, candidates: ['noop'] }],
      this.options.adapterFor(request.self),
    );
    return scores.values[0]!;
  }
}
