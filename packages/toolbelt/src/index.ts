export type {
  CandidateAction,
  Environment,
  EnvironmentSession,
  EpisodeVerdict,
  Observation,
  StepOutcome,
  TaskFamilyInfo,
  TaskGenerator,
  TaskSpec,
} from './environment';
export type { DispatchResult, ToolCall, ToolErrorCode, ToolErrorInfo } from './types';
