export { callToolResultText, callToolResultValue, toCallToolResult } from './call-result';
export {
  connectMcpServer,
  type ImportOptions,
  importMcpServer,
  importMcpTools,
  type McpConnection,
  type McpServerTarget,
} from './import-tools';
export { createMcpServer, type McpServerOptions } from './mcp-server';
export { type McpHttpHandle, type McpHttpOptions, serveMcpHttp } from './serve-http';
export { type McpStdioHandle, type McpStdioOptions, serveMcpStdio } from './serve-stdio';
