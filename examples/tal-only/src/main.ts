/**
 * The TAL embedded alone (no other @chimera package) and served over MCP.
 *
 *   node --import tsx --conditions=@chimera/source src/main.ts            # stdio
 *   CHIMERA_MCP_TOKEN=... node ... src/main.ts --http [--port 8765]         # streamable HTTP on 127.0.0.1
 *
 * Every call, from any MCP client, goes through the TAL: validated, rate-limited, logged to stderr.
 */
import { pathToFileURL } from 'node:url';
import { type DispatchMiddleware, ToolAbstractionLayer, ToolRegistry } from '@chimera/toolbelt';
import { serveMcpHttp, serveMcpStdio } from '@chimera/toolbelt/mcp';
import { notebookTools } from './notes-tools';

export function createNotebookTal(options: { log?: boolean } = {}): ToolAbstractionLayer {
  // stdout carries the MCP protocol in stdio mode: log to stderr only.
  const log: DispatchMiddleware = {
    name: 'stderr-log',
    after: ({ result }) => {
      const outcome = result.ok ? 'ok' : result.error.code;
      process.stderr.write(`[tal] ${result.tool || '?'} ${outcome} ${result.durationMs.toFixed(2)}ms\n`);
    },
  };
  return new ToolAbstractionLayer({
    registry: new ToolRegistry(notebookTools()),
    permissions: { rateLimits: { notes_add: { maxCalls: 30, perMs: 60_000 } } },
    middleware: options.log ? [log] : [],
  });
}

async function main(argv: string[]): Promise<void> {
  const tal = createNotebookTal({ log: !process.env.CHIMERA_QUIET });
  if (!argv.includes('--http')) {
    await serveMcpStdio(tal, { name: 'chimera-notebook' });
    return;
  }
  const token = process.env.CHIMERA_MCP_TOKEN;
  if (token === undefined || token.length < 16) {
    process.stderr.write('Set CHIMERA_MCP_TOKEN to a secret of at least 16 characters for HTTP mode.\n');
    process.exit(2);
  }
  const portFlag = argv.indexOf('--port');
  const port = portFlag >= 0 ? Number(argv[portFlag + 1]) : 8765;
  const server = await serveMcpHttp(tal, { name: 'chimera-notebook', token, port });
  process.stderr.write(`MCP endpoint: ${server.url} (Authorization: Bearer $CHIMERA_MCP_TOKEN)\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
