/**
 * A learning objective: Sleep's output and the next Wake's input. It names the Self to train, the
 * skill gap in words, the evidence, and a persisted reference to the mini-batch that shows the gap.
 */
import type { Diagnosis, DiagnosisGroup } from './diagnose';

export interface LearningObjective {
  id: string;
  cycle: number;
  targetSelf: string;
  environment: string;
  family: string;
  skillGap: string;
  /** One sentence, e.g. "Remediate form-filling failures. Target Self: Form_Filler. Data: mini-batch #3, 48 high-TD steps". */
  summary: string;
  evidence: {
    samples: number;
    episodes: number;
    failures: number;
    failureRate: number;
    meanAbsTd: number;
    maxAbsTd: number;
    topFeatures: { feature: string; samples: number; failureRate: number; meanAbsTd: number }[];
  };
  miniBatch: { id: string; experienceIds: string[] };
  /** `statistical` when written from counts alone; `reflector` when a language-model Reflector Self worded it. */
  analyst: 'statistical' | 'reflector';
  /** Why a configured Reflector's wording is not used (it failed or said nothing). */
  analysisNote?: string;
  createdAt: string;
}

export function objectiveFromDiagnosis(options: {
  cycle: number;
  miniBatchId: string;
  experienceIds: string[];
  diagnosis: Diagnosis;
  target: DiagnosisGroup;
  /** Position of this objective among the Sleep's objectives (its id is `objective-<cycle>-<index>`). */
  index?: number;
  now?: Date;
}): LearningObjective {
  const { target, diagnosis } = options;
  const features = diagnosis.groups
    .filter(
      (g) =>
        g.feature !== null &&
        g.self === target.self &&
        g.family === target.family &&
        g.environment === target.environment,
    )
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((g) => ({
      feature: g.feature!,
      samples: g.samples,
      failureRate: g.failureRate,
      meanAbsTd: g.meanAbsTd,
    }));
  const where =
    features.length > 0
      ? `, worst where ${features.map((f) => `${f.feature} (${(100 * f.failureRate).toFixed(0)}% failing)`).join(', ')}`
      : '';
  const skillGap = `${target.family} on ${target.environment}: ${(100 * target.failureRate).toFixed(0)}% of ${target.samples} sampled steps belong to failed episodes, mean |TD| ${target.meanAbsTd.toFixed(3)}${where}`;
  const summary = `Remediate ${target.family} failures. Target Self: ${target.self}. Data: mini-batch #${options.miniBatchId}, ${target.samples} high-TD ${target.environment} steps from ${target.episodes} episodes.`;
  return {
    id: `objective-${options.cycle}-${options.index ?? 0}`,
    cycle: options.cycle,
    targetSelf: target.self,
    environment: target.environment,
    family: target.family,
    skillGap,
    summary,
    evidence: {
      samples: target.samples,
      episodes: target.episodes,
      failures: target.failures,
      failureRate: target.failureRate,
      meanAbsTd: target.meanAbsTd,
      maxAbsTd: target.maxAbsTd,
      topFeatures: features,
    },
    miniBatch: { id: options.miniBatchId, experienceIds: options.experienceIds },
    analyst: 'statistical',
    createdAt: (options.now ?? new Date()).toISOString(),
  };
}
