/**
 * The curriculum teacher: samples tasks at the frontier of the agent's competence.
 *
 * Learning progress per arm (environment, family, difficulty) follows Syllabus's online learning
 * progress (arXiv 2106.14876): success rates feed a fast and a slow exponential moving average,
 * both pass through a reweighting f(p) = p(1-θ)/(p + θ(1-2p)) that stretches low rates, and the
 * absolute difference |f(fast) - f(slow)| is the arm's learning progress. Arms are sampled by a
 * sigmoid of the z-scored progress, mixed with uniform exploration. Arms never tried get an
 * optimistic bonus so every family is visited early.
 */
import type { SeededRandomLike } from './random';

export interface CurriculumArm {
  environment: string;
  family: string;
  difficulty: number;
}

export interface ArmStatistics extends CurriculumArm {
  key: string;
  episodes: number;
  successes: number;
  fast: number;
  slow: number;
  learningProgress: number;
  /** Raw success rate over all episodes of this arm. */
  successRate: number;
}

export interface LearningProgressTeacherOptions {
  arms: CurriculumArm[];
  /** EMA rate of the fast average (Syllabus default 0.1; larger reacts faster on short runs). */
  alpha?: number;
  /** Reweighting parameter θ of f(p). */
  theta?: number;
  /** Share of uniform exploration mixed into the distribution. */
  uniformMix?: number;
  /**
   * Prior weight of an arm, multiplying its learning-progress weight (default 1 for all). A run
   * that knows which families can only be learned by practice can lean the curriculum toward them.
   */
  prior?: (arm: CurriculumArm) => number;
  /**
   * Weight factor of a mastered arm: at least 3 episodes and a fast success average of 0.9 or more
   * (default 1: no discount). Learning progress alone cannot tell a mastered arm from one never
   * solved (both move little); on a short run, practice spent on mastered arms is lost.
   */
  masteredWeight?: number;
}

export interface TeacherState {
  arms: ArmStatistics[];
}

export function armKey(arm: CurriculumArm): string {
  return `${arm.environment}/${arm.family}/${arm.difficulty}`;
}

export class LearningProgressTeacher {
  private readonly arms = new Map<string, ArmStatistics>();
  private readonly alpha: number;
  private readonly theta: number;
  private readonly uniformMix: number;
  private readonly prior: ((arm: CurriculumArm) => number) | undefined;
  private readonly masteredWeight: number;

  constructor(options: LearningProgressTeacherOptions) {
    if (options.arms.length === 0) throw new RangeError('LearningProgressTeacher needs at least one arm');
    this.alpha = options.alpha ?? 0.2;
    this.theta = options.theta ?? 0.1;
    this.uniformMix = options.uniformMix ?? 0.25;
    this.prior = options.prior;
    this.masteredWeight = options.masteredWeight ?? 1;
    if (!(this.masteredWeight >= 0 && this.masteredWeight <= 1))
      throw new RangeError(`masteredWeight must be in [0, 1], got ${this.masteredWeight}`);
    for (const arm of options.arms) {
      const key = armKey(arm);
      this.arms.set(key, {
        ...arm,
        key,
        episodes: 0,
        successes: 0,
        fast: 0,
        slow: 0,
        learningProgress: 0,
        successRate: 0,
      });
    }
  }

  private reweight(p: number): number {
    const t = this.theta;
    const denominator = p + t * (1 - 2 * p);
    return denominator === 0 ? 0 : (p * (1 - t)) / denominator;
  }

  /** Record one episode's outcome (success in [0, 1]; partial credit allowed). */
  update(arm: CurriculumArm, success: number): ArmStatistics {
    const stats = this.arms.get(armKey(arm));
    if (!stats) throw new RangeError(`unknown curriculum arm ${armKey(arm)}`);
    const r = Math.min(1, Math.max(0, success));
    if (stats.episodes === 0) {
      stats.fast = r;
      stats.slow = r;
    } else {
      stats.fast = this.alpha * r + (1 - this.alpha) * stats.fast;
      stats.slow = this.alpha * stats.fast + (1 - this.alpha) * stats.slow;
    }
    stats.episodes++;
    stats.successes += r;
    stats.successRate = stats.successes / stats.episodes;
    stats.learningProgress = Math.abs(this.reweight(stats.fast) - this.reweight(stats.slow));
    return { ...stats };
  }

  /** Learning progress of an arm (0 for unknown or unvisited arms). */
  learningProgress(arm: CurriculumArm): number {
    return this.arms.get(armKey(arm))?.learningProgress ?? 0;
  }

  /** Current sampling distribution over arms (sums to 1). */
  distribution(): { arm: ArmStatistics; probability: number }[] {
    const all = [...this.arms.values()];
    const scores = all.map((a) => a.learningProgress);
    const mean = scores.reduce((s, v) => s + v, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / scores.length);
    const weights = all.map((a, i) => {
      const prior = this.prior ? Math.max(0, this.prior(a)) : 1;
      // Unvisited arms are optimistic: the teacher cannot know they are not at the frontier.
      if (a.episodes === 0) return prior;
      // Arms that are fully mastered or never solved carry no progress signal; keep them small.
      const z = std > 1e-12 ? (scores[i]! - mean) / std : 0;
      const mastered = a.episodes >= 3 && a.fast >= 0.9 ? this.masteredWeight : 1;
      return (prior * mastered) / (1 + Math.exp(-z));
    });
    const total = weights.reduce((s, v) => s + v, 0);
    const n = all.length;
    return all.map((arm, i) => ({
      arm: { ...arm },
      probability: (1 - this.uniformMix) * (total > 0 ? weights[i]! / total : 1 / n) + this.uniformMix / n,
    }));
  }

  /** Draw one arm from the distribution with the given random source. */
  sample(random: SeededRandomLike): ArmStatistics {
    const dist = this.distribution();
    let u = random.next();
    for (const { arm, probability } of dist) {
      u -= probability;
      if (u <= 0) return arm;
    }
    return dist[dist.length - 1]!.arm;
  }

  statistics(): ArmStatistics[] {
    return [...this.arms.values()].map((a) => ({ ...a }));
  }

  toJSON(): TeacherState {
    return { arms: this.statistics() };
  }

  static fromJSON(
    state: TeacherState,
    options: Omit<LearningProgressTeacherOptions, 'arms'> = {},
  ): LearningProgressTeacher {
    const teacher = new LearningProgressTeacher({ ...options, arms: state.arms });
    for (const a of state.arms) teacher.arms.set(a.key, { ...a });
    return teacher;
  }
}
