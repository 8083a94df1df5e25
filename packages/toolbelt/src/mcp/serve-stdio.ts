/**
 * Serves tools over MCP's stdio transport (the process's stdin/stdout by default). Anything else the
 * process prints to stdout would corrupt the protocol: log to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ToolAbstractionLayer, ToolRegistry } from '../index';
import { createMcpServer, type McpServerOptions } from './mcp-server';

export interface McpStdioOptions extends McpServerOptions {
  stdin?: Readable;
  stdout?: Writable;
}

export interface McpStdioHandle {
  server: Server;
  close(): Promise<void>;
}

export async function serveMcpStdio(
  target: ToolAbstractionLayer | ToolRegistry,
  options: McpStdioOptions = {},
): Promise<McpStdioHandle> {
  const server = createMcpServer(target, options);
  await server.connect(new StdioServerTransport(options.stdin, options.stdout));
  return { server, close: () => server.close() };
}
