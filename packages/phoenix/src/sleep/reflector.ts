/**
 * The Reflector seam: Sleep's statistical diagnosis always picks the target Self, the family and
 * the mini-batch; a Reflector (a language-model Reflector Self, see `@chimera/phoenix/llm`'s
 * LanguageModelReflector) may then word the skill gap from the same evidence. A Reflector that
 * fails or says nothing leaves the statistical wording in place, so Sleep never loses an objective
 * to a model.
 */
import type { Diagnosis } from './diagnose';
import type { LearningObjective } from './objective';

export interface Reflector {
  readonly name: string;
  /** The skill gap in words, from the objective's evidence; undefined keeps the statistical text. */
  reflect(input: {
    objective: Readonly<LearningObjective>;
    diagnosis: Readonly<Diagnosis>;
  }): Promise<{ skillGap: string } | undefined>;
}

/** Longest analysis kept (a model that rambles is cut, not refused). */
export const MAX_ANALYSIS_CHARS = 1200;

/**
 * Applies a Reflector to an objective in place: analyst `reflector` and its wording when it
 * answered; otherwise the statistical wording stays and `analysisNote` says why.
 */
export async function reflectOn(
  reflector: Reflector,
  objective: LearningObjective,
  diagnosis: Diagnosis,
): Promise<void> {
  try {
    const answer = await reflector.reflect({ objective, diagnosis });
    const text = answer?.skillGap?.replace(/\s+/g, ' ').trim() ?? '';
    if (text.length === 0) {
      objective.analysisNote = `${reflector.name} gave no analysis; the statistical wording is kept`;
      return;
    }
    objective.skillGap =
      text.length > MAX_ANALYSIS_CHARS ? `${text.slice(0, MAX_ANALYSIS_CHARS - 1)}…` : text;
    objective.analyst = 'reflector';
  } catch (error) {
    objective.analysisNote = `${reflector.name} failed (${(error as Error).message}); the statistical wording is kept`;
  }
}
