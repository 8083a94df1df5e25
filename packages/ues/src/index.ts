/**
 * @chimera/ues: the Unified Experience Schema and a durable, queryable episodic memory.
 * The PostgreSQL store is in the `@chimera/ues/postgres` subpath (optional peer `pg`).
 */
export {
  type BlobStore,
  type ImageMime,
  imageRef,
  MemoryBlobStore,
  sha256Hex,
} from './blobs/blob-store';
export { FileBlobStore } from './blobs/file-blob-store';
export {
  CorruptDatabaseError,
  DuplicateExperienceError,
  EpisodeConflictError,
  type SchemaIssue,
  SchemaValidationError,
  StoreClosedError,
  UesError,
  UnknownExperienceError,
} from './errors/index';
export { uuidv7 } from './ids';
export {
  type ActionGraphEdge,
  ActionGraphEdgeSchema,
  ActionSchema,
  CURRENT_SCHEMA_VERSION,
  type Decision,
  DecisionSchema,
  type Experience,
  type ExperienceInput,
  type ExperienceMetadata,
  ExperienceSchema,
  type ExperienceState,
  type ImageRef,
  ImageRefSchema,
  MetadataSchema,
  type Outcome,
  OutcomeSchema,
  StateSchema,
} from './schema/experience-schema';
export { experienceJsonSchema } from './schema/json-schema';
export { migrateExperience, schemaVersionOf } from './schema/migrations';
export {
  type DispatchResultRecord,
  DispatchResultSchema,
  JsonValueSchema,
  type ToolCallRecord,
  ToolCallSchema,
  ToolErrorCodeSchema,
  ToolErrorInfoSchema,
} from './schema/tool-shapes';
export { type ValidationMode, validateExperience } from './schema/validate';
export type {
  EpisodeFilter,
  EpisodeSummary,
  ExperienceFilter,
  ExperienceStore,
  QueryOptions,
  SignalUpdate,
  SignalVersion,
  SuccessRateDimension,
  SuccessRateRow,
  TimeBound,
} from './store/experience-store';
export { wilsonInterval } from './store/wilson';
export {
  type ExportOptions,
  exportJsonl,
  type ImportOptions,
  type ImportReport,
  importJsonl,
  type JsonlLine,
} from './stores/jsonl/jsonl';
export { SqliteExperienceStore, type SqliteStoreOptions } from './stores/sqlite/sqlite-experience-store';
