export type {
  ArmStatistics,
  CurriculumArm,
  LearningProgressTeacherOptions,
  TeacherState,
} from './learning-progress-teacher';
export { armKey, LearningProgressTeacher } from './learning-progress-teacher';
export type { SeededRandomLike } from './random';
export { Mulberry32 } from './random';
