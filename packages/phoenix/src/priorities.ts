/**
 * Temporal-difference errors from a learned value estimate, and the replay priority that mixes
 * them with the teacher's learning progress (the blueprint's hybrid metric).
 */

export interface TransitionValues {
  reward: number;
  /** V(s_t) from the policy model's value head. */
  value: number;
  /** V(s_t+1); ignored when `terminal`. */
  nextValue: number;
  terminal: boolean;
}

/** δ_t = r_t + γ·V(s_t+1)·(1 - terminal) - V(s_t). */
export function tdError(t: TransitionValues, gamma = 0.95): number {
  return t.reward + (t.terminal ? 0 : gamma * t.nextValue) - t.value;
}

/** Discounted returns G_t for one episode's rewards, computed backwards. */
export function discountedReturns(rewards: readonly number[], gamma = 0.95): number[] {
  const out = new Array<number>(rewards.length);
  let g = 0;
  for (let i = rewards.length - 1; i >= 0; i--) {
    g = rewards[i]! + gamma * g;
    out[i] = g;
  }
  return out;
}
