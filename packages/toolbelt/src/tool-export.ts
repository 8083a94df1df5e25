/**
 * Every tool in the three shapes the outside world wants: the blueprint's registration record, an
 * MCP `Tool`, and an OpenAI-style function-calling tool. The JSON Schemas are the tool's own (draft
 * 2020-12 for zod tools); nothing is re-derived here.
 */
import type { AnyTool, ToolAnnotations } from './define-tool';
import type { JsonSchema } from './validation/json-schema-validator';

/** The blueprint's tool registration record (snake_case, as the blueprint names its fields). */
export interface ToolRegistrationRecord {
  tool_name: string;
  description: string;
  environment_tags: string[];
  input_schema: JsonSchema;
  output_schema: JsonSchema;
  cost_estimate?: number;
  example_usage?: string;
}

/** The MCP `Tool` shape returned by `tools/list`. */
export interface McpToolDescription {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema & { type: 'object' };
  outputSchema?: JsonSchema & { type: 'object' };
  annotations?: ToolAnnotations;
}

/** An OpenAI-style (Chat Completions) function tool; also what most local servers accept. */
export interface OpenAIFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchema; strict?: boolean };
}

export function toRegistrationRecord(tool: AnyTool): ToolRegistrationRecord {
  const record: ToolRegistrationRecord = {
    tool_name: tool.name,
    description: tool.description,
    environment_tags: [...tool.environmentTags],
    input_schema: tool.inputSchema,
    // The blueprint requires an output schema; "any JSON value" is the honest one when none is declared.
    output_schema: tool.outputSchema ?? {},
  };
  if (tool.costEstimate !== undefined) record.cost_estimate = tool.costEstimate;
  if (tool.exampleUsage !== undefined) record.example_usage = tool.exampleUsage;
  return record;
}

export function toMcpTool(tool: AnyTool): McpToolDescription {
  const out: McpToolDescription = {
    name: tool.name,
    description: tool.description,
    inputSchema: asObjectSchema(tool.inputSchema),
  };
  const title = tool.title ?? tool.annotations?.title;
  if (title !== undefined) out.title = title;
  // MCP requires structured output to be an object; other output schemas are sent as text only.
  if (tool.outputSchema !== undefined && isObjectSchema(tool.outputSchema)) {
    out.outputSchema = asObjectSchema(tool.outputSchema);
  }
  if (tool.annotations !== undefined) out.annotations = { ...tool.annotations };
  return out;
}

export function toOpenAITool(tool: AnyTool): OpenAIFunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
}

export function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object';
}

function asObjectSchema(schema: JsonSchema): JsonSchema & { type: 'object' } {
  // A union of object shapes has no top-level `type`; MCP insists on one.
  return schema.type === 'object'
    ? (schema as JsonSchema & { type: 'object' })
    : { type: 'object', ...schema };
}
