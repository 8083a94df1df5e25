export { CorruptDatabaseError } from './corrupt-database-error';
export { DuplicateExperienceError } from './duplicate-experience-error';
export { EpisodeConflictError } from './episode-conflict-error';
export { type SchemaIssue, SchemaValidationError } from './schema-validation-error';
export { StoreClosedError } from './store-closed-error';
export { UesError } from './ues-error';
export { UnknownExperienceError } from './unknown-experience-error';
