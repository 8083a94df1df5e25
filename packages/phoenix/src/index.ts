/**
 * @chimera/phoenix: the Phoenix cycle. Wake acts and records, Sleep reflects and writes learning
 * objectives from prioritized replay, the next Wake fine-tunes the targeted Self with QuZO; the
 * curriculum teacher and multi-agent sessions feed it.
 */
export {
  type ArmStatistics,
  armKey,
  type CurriculumArm,
  LearningProgressTeacher,
  type LearningProgressTeacherOptions,
  Mulberry32,
  type SeededRandomLike,
  type TeacherState,
} from './curriculum/index';
export {
  type CycleRecord,
  type ObjectiveOutcome,
  type PhaseName,
  type PhoenixEvent,
  type PhoenixOptions,
  PhoenixRun,
  type PhoenixState,
  retentionFamilies,
  runPhoenix,
} from './cycle';
export { EmbeddedPolicy, type EmbeddedPolicyOptions } from './embedded-policy';
export {
  actionText,
  type EpisodeOptions,
  type EpisodeResult,
  runEpisode,
  type SelfChoice,
  type SelfSelector,
} from './episode-runner';
export { CycleInterruptedError, PhoenixError } from './errors';
export {
  capFor,
  type DifficultyCap,
  evaluate,
  type FamilyScore,
  heldoutTasks,
  levelsOf,
  scoreByFamily,
} from './evaluation';
export {
  type Adversary,
  AdversaryPopulation,
  type AdversaryPopulationState,
  type Variation,
  variationKey,
} from './mada/adversary-population';
export {
  type CollaborativeAgent,
  type CollaborativeResult,
  runCollaborativeSession,
} from './mada/collaborative-session';
export {
  type ActionMemory,
  defaultActionClass,
  defaultActionKey,
  EpisodicMemory,
  type EpisodicMemoryOptions,
  type EpisodicMemoryState,
  type GoalTemplate,
  type MemoryTask,
  quotedGoalTemplate,
  templateAction,
} from './memory/episodic-memory';
export {
  chooseFromLogits,
  type DecisionRequest,
  HISTORY_WINDOW,
  type Policy,
  type PolicyContext,
  type PolicyDecision,
  policyContext,
  policyContextText,
  RandomPolicy,
} from './policy';
export { discountedReturns, type TransitionValues, tdError } from './priorities';
export type { Controller, SelvesHost } from './selves-host';
export { type Diagnosis, type DiagnosisGroup, type DiagnosisSample, diagnose } from './sleep/diagnose';
export { type LearningObjective, objectiveFromDiagnosis } from './sleep/objective';
export { MAX_ANALYSIS_CHARS, type Reflector, reflectOn } from './sleep/reflector';
export { readJson, writeJsonAtomic } from './state/atomic-json';
export {
  type AdapterTrainingOptions,
  type AdapterTrainingReport,
  trainAdapter,
} from './wake/adapter-trainer';
export { type TrainingExample, trainingExamples } from './wake/training-examples';
