/**
 * A ToolRegistry (through its TAL) as an MCP server: `tools/list` returns each tool's MCP shape,
 * `tools/call` goes through `dispatch`, so validation, permissions, guards, timeouts and middleware
 * apply to MCP clients exactly as to the local agent. Uses the SDK's low-level Server, which hosts
 * JSON Schema tools as they are (no zod round trip).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import { ToolAbstractionLayer, type ToolFilter, type ToolRegistry, toMcpTool } from '../index';
import { unknownToolError } from '../tool-errors';
import { toCallToolResult } from './call-result';

export interface McpServerOptions {
  /** Server name reported at initialization (default `chimera-toolbelt`). */
  name?: string;
  version?: string;
  /** Instructions sent to the client at initialization. */
  instructions?: string;
  /** Serve only the tools that match (by tag or name); others are unknown to MCP clients. */
  filter?: ToolFilter;
}

/** The TAL to serve: the one given, or a default one around a bare registry. */
export function toTal(target: ToolAbstractionLayer | ToolRegistry): ToolAbstractionLayer {
  // Duck-typed: the subpath bundle carries its own copy of the classes, so instanceof could lie.
  return 'dispatch' in target ? target : new ToolAbstractionLayer({ registry: target });
}

export function createMcpServer(
  target: ToolAbstractionLayer | ToolRegistry,
  options: McpServerOptions = {},
): Server {
  const tal = toTal(target);
  const registry = tal.registry;
  const server = new Server(
    { name: options.name ?? 'chimera-toolbelt', version: options.version ?? '0.1.0' },
    {
      capabilities: { tools: { listChanged: true } },
      ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
    },
  );
  const filter = options.filter;
  const visible = (name: string) =>
    filter === undefined || registry.list({ ...filter, names: [name] }).length > 0;

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: registry.list(filter).map((tool) => toMcpTool(tool) as McpTool),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    if (!visible(name)) {
      const names = registry.list(filter).map((t) => t.name);
      const error = unknownToolError(name, names);
      return toCallToolResult({ ok: false, tool: name, error, durationMs: 0 }, undefined);
    }
    const result = await tal.dispatch(
      { tool: name, args: request.params.arguments ?? {} },
      {
        signal: extra.signal,
        metadata: { transport: 'mcp', sessionId: extra.sessionId, requestId: extra.requestId },
      },
    );
    return toCallToolResult(result, registry.get(name));
  });

  const unsubscribe = registry.onChange(() => {
    // Only an initialized, connected client can be told; a failure here only means it left.
    if (server.transport !== undefined) server.sendToolListChanged().catch(() => {});
  });
  const previousOnClose = server.onclose;
  server.onclose = () => {
    unsubscribe();
    previousOnClose?.();
  };
  return server;
}
