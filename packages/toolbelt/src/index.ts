export { extractJson, type ParsedCall, type ParseOptions, parseToolCall } from './call-parsing';
export {
  type AnyTool,
  defineJsonSchemaTool,
  defineTool,
  type JsonSchemaToolDefinition,
  type Tool,
  type ToolAnnotations,
  type ToolArgs,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
} from './define-tool';
export {
  EntityRegistry,
  type EntityRegistryOptions,
  type EntityResolution,
} from './entities/entity-registry';
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
export { EnvironmentError } from './errors/environment-error';
export { StaleEntityError, type StaleEntityReason } from './errors/stale-entity-error';
export { ToolCallError } from './errors/tool-call-error';
export { ToolDefinitionError } from './errors/tool-definition-error';
export { ToolbeltError } from './errors/toolbelt-error';
export type { AfterDispatchEvent, BeforeDispatchEvent, DispatchMiddleware } from './middleware';
export { type CompactJsonOptions, compactJson } from './observation/compact-json';
export { countTokens, truncateToTokens, withinTokenLimit } from './observation/count-tokens';
export { type BudgetedObservation, type BudgetOptions, fitToBudget } from './observation/fit-to-budget';
export { type RenderOptions, renderResult } from './observation/render-result';
export {
  type AskAnswer,
  type GuardVerdict,
  type PermissionDecision,
  PermissionGate,
  type PermissionOptions,
  type PermissionRequest,
  type RateLimit,
  type ToolGuard,
} from './permissions';
export {
  type DispatchOptions,
  ToolAbstractionLayer,
  type ToolAbstractionLayerOptions,
} from './tool-abstraction-layer';
export { type CatalogOptions, catalogLine, toolCatalog } from './tool-catalog';
export {
  isObjectSchema,
  type McpToolDescription,
  type OpenAIFunctionTool,
  type ToolRegistrationRecord,
  toMcpTool,
  toOpenAITool,
  toRegistrationRecord,
} from './tool-export';
export {
  type RegistryChange,
  type ToolFilter,
  type ToolRegistration,
  ToolRegistry,
  type ToolRevision,
} from './tool-registry';
export type { DispatchResult, ToolCall, ToolErrorCode, ToolErrorInfo } from './types';
export type { JsonSchema } from './validation/json-schema-validator';
export { schemaSummary } from './validation/schema-summary';
export type { ValidationIssue, ValidationOutcome, Validator } from './validation/validator';
