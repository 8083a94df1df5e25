/**
 * DispatchResult <-> MCP CallToolResult. A success carries its value as compact JSON text (what a
 * model reads) and, when the tool declares an object output schema, as `structuredContent`. A
 * failure is an `isError` result whose text is the TAL's structured error, so a model on the other
 * side of MCP gets the same correctable message as one calling the TAL directly.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool, DispatchResult } from '../index';
import { compactJson } from '../index';

export function toCallToolResult(result: DispatchResult, tool: AnyTool | undefined): CallToolResult {
  if (!result.ok) {
    return { isError: true, content: [{ type: 'text', text: compactJson(result.error) }] };
  }
  const value = result.value;
  const text = typeof value === 'string' ? value : compactJson(value);
  const out: CallToolResult = { content: [{ type: 'text', text }] };
  if (tool?.outputSchema?.type === 'object' && isPlainObject(value)) {
    out.structuredContent = value;
  }
  return out;
}

/**
 * The value of a remote tool's result: its `structuredContent` when present, its text when the
 * content is all text, otherwise the content blocks themselves (images stay base64 blocks).
 */
export function callToolResultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = result.content ?? [];
  if (content.every((block) => block.type === 'text')) {
    return content.map((block) => (block as { text: string }).text).join('\n');
  }
  return { content };
}

/** The text of a remote error result, for the model. */
export function callToolResultText(result: CallToolResult): string {
  return (result.content ?? [])
    .filter((block) => block.type === 'text')
    .map((block) => (block as { text: string }).text)
    .join('\n');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
