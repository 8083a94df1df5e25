/**
 * Imports the tools of any MCP server into a ToolRegistry: each remote tool becomes a JSON Schema
 * tool (validated locally with ajv before it is sent) whose handler calls the server. Remote errors
 * become structured `handler_error` results; the TAL's timeout aborts the remote call.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { type AnyTool, defineJsonSchemaTool, ToolCallError, type ToolRegistry } from '../index';
import { callToolResultText, callToolResultValue } from './call-result';

export interface ImportOptions {
  /** Prepended to every name (e.g. `pw_`), to keep servers apart in one registry. */
  prefix?: string;
  /** Tags given to every imported tool (default `['mcp']`). */
  environmentTags?: readonly string[];
  /** Import only the remote tools this accepts (by remote name). */
  include?: (tool: McpTool) => boolean;
  /** Per-tool timeout in ms for the TAL (default: the TAL's). */
  timeoutMs?: number;
  /** Replace tools of the same name already in the registry (default false: a clash throws). */
  replace?: boolean;
}

/** Lists every tool of `client`'s server (following pagination) and registers them. */
export async function importMcpTools(
  client: Client,
  registry: ToolRegistry,
  options: ImportOptions = {},
): Promise<AnyTool[]> {
  const remote: McpTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    remote.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  const tools = remote
    .filter((tool) => options.include?.(tool) ?? true)
    .map((tool) => remoteTool(client, tool, options));
  for (const tool of tools) registry.register(tool, { replace: options.replace ?? false });
  return tools;
}

function remoteTool(client: Client, remote: McpTool, options: ImportOptions): AnyTool {
  const name = localName(options.prefix ?? '', remote.name);
  const title = remote.title ?? remote.annotations?.title;
  return defineJsonSchemaTool({
    name,
    ...(title === undefined ? {} : { title }),
    description: remote.description?.trim() || title || remote.name,
    environmentTags: options.environmentTags ?? ['mcp'],
    inputSchema: remote.inputSchema as Record<string, unknown>,
    ...(remote.outputSchema === undefined
      ? {}
      : { outputSchema: remote.outputSchema as Record<string, unknown> }),
    ...(remote.annotations === undefined ? {} : { annotations: remote.annotations }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    handler: async (args, ctx) => {
      const result = (await client.callTool({ name: remote.name, arguments: args }, undefined, {
        signal: ctx.signal,
        // The TAL owns the deadline (and aborts ctx.signal); the SDK's own 60 s default must not cut in first.
        timeout: 2 ** 31 - 1,
      })) as CallToolResult;
      if (result.isError) {
        throw new ToolCallError(
          'handler_error',
          callToolResultText(result) || `"${name}" failed on the MCP server`,
          {
            details: { remoteTool: remote.name },
          },
        );
      }
      return callToolResultValue(result);
    },
  });
}

/** Remote names may hold characters OpenAI rejects (`.`, `/`): map them to `_`. */
function localName(prefix: string, remote: string): string {
  return `${prefix}${remote}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export type McpServerTarget =
  | {
      command: string;
      args?: string[];
      env?: Record<string, string>;
      cwd?: string;
      stderr?: 'inherit' | 'ignore' | 'pipe';
    }
  | { url: string; token?: string; headers?: Record<string, string> };

export interface McpConnection {
  client: Client;
  close(): Promise<void>;
}

/** Connects an MCP client to a server started as a child process (stdio) or reached over HTTP. */
export async function connectMcpServer(
  target: McpServerTarget,
  clientInfo: { name: string; version: string } = { name: 'chimera-toolbelt', version: '0.1.0' },
): Promise<McpConnection> {
  const client = new Client(clientInfo);
  if ('command' in target) {
    await client.connect(
      new StdioClientTransport({
        command: target.command,
        ...(target.args === undefined ? {} : { args: target.args }),
        ...(target.env === undefined ? {} : { env: target.env }),
        ...(target.cwd === undefined ? {} : { cwd: target.cwd }),
        stderr: target.stderr ?? 'inherit',
      }),
    );
  } else {
    const headers: Record<string, string> = { ...target.headers };
    if (target.token !== undefined) headers.Authorization = `Bearer ${target.token}`;
    await client.connect(
      new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers } }),
    );
  }
  return { client, close: () => client.close() };
}

/** connectMcpServer + importMcpTools: the remote server's tools, registered, and a way to disconnect. */
export async function importMcpServer(
  registry: ToolRegistry,
  target: McpServerTarget,
  options: ImportOptions = {},
): Promise<McpConnection & { tools: AnyTool[] }> {
  const connection = await connectMcpServer(target);
  try {
    const tools = await importMcpTools(connection.client, registry, options);
    return { ...connection, tools };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
