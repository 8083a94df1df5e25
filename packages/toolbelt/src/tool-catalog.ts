/**
 * The tool list for a prompt, in a fraction of the tokens of JSON Schemas: one line per tool,
 * `name({args}) -> {result}: description`, argument shapes in the same compact notation the
 * invalid-argument errors use. For models that call tools from text (the TAL parses their JSON);
 * models with native function calling take `toOpenAITool` instead.
 */
import type { AnyTool } from './define-tool';
import { schemaSummary } from './validation/schema-summary';

export interface CatalogOptions {
  /** Include the result shape (default true). */
  results?: boolean;
  /** Cut descriptions to their first sentence (default false). */
  firstSentence?: boolean;
}

export function toolCatalog(tools: readonly AnyTool[], options: CatalogOptions = {}): string {
  return tools.map((tool) => catalogLine(tool, options)).join('\n');
}

export function catalogLine(tool: AnyTool, options: CatalogOptions = {}): string {
  const args = schemaSummary(tool.inputSchema);
  const result =
    (options.results ?? true) && tool.outputSchema !== undefined
      ? ` -> ${schemaSummary(tool.outputSchema)}`
      : '';
  let description = tool.description.trim().replace(/\s+/g, ' ');
  if (options.firstSentence) description = /^.*?[.!?](\s|$)/.exec(description)?.[0].trim() ?? description;
  return `${tool.name}(${args === 'object' ? '' : args})${result}: ${description}`;
}
