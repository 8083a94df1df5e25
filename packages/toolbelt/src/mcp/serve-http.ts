/**
 * Serves tools over MCP's streamable HTTP transport. Safe by default: it listens on loopback only
 * (another host needs `allowRemote: true`), every request must carry `Authorization: Bearer <token>`,
 * and Host headers are checked against the address it listens on (DNS-rebinding protection).
 * One MCP session per client, each with its own Server bound to the same TAL.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { type ToolAbstractionLayer, ToolbeltError, type ToolRegistry } from '../index';
import { createMcpServer, type McpServerOptions, toTal } from './mcp-server';

export interface McpHttpOptions extends McpServerOptions {
  /** Bearer token every request must present; at least 16 characters. */
  token: string;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 0: any free port; read it from the handle). */
  port?: number;
  /** URL path of the endpoint (default `/mcp`). */
  path?: string;
  /** Required to listen on a non-loopback interface. */
  allowRemote?: boolean;
}

export interface McpHttpHandle {
  /** The endpoint, e.g. `http://127.0.0.1:43121/mcp`. */
  url: string;
  port: number;
  http: HttpServer;
  /** Number of open MCP sessions. */
  sessions(): number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

export async function serveMcpHttp(
  target: ToolAbstractionLayer | ToolRegistry,
  options: McpHttpOptions,
): Promise<McpHttpHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!loopback.has(host) && !options.allowRemote) {
    throw new ToolbeltError(`refusing to serve MCP on ${host}: only loopback unless allowRemote is set`);
  }
  if (typeof options.token !== 'string' || options.token.length < 16) {
    throw new ToolbeltError('serveMcpHttp needs a bearer token of at least 16 characters (options.token)');
  }
  const tal = toTal(target);
  const path = options.path ?? '/mcp';
  const expected = digest(options.token);
  const sessions = new Map<string, Session>();
  let allowedHosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return reply(res, 404, `not found: the MCP endpoint is ${path}`);
    if (!authorized(req.headers.authorization, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return reply(res, 401, 'missing or wrong bearer token');
    }
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (existing !== undefined) return existing.transport.handleRequest(req, res);
    if (sessionId !== undefined) return reply(res, 404, 'unknown or closed session: initialize again');
    if (req.method !== 'POST') return reply(res, 400, 'start a session with a POST initialize request');

    const session: Session = {
      server: createMcpServer(tal, options),
      transport: new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, session);
        },
        enableDnsRebindingProtection: !options.allowRemote,
        allowedHosts,
      }),
    };
    session.transport.onclose = () => {
      if (session.transport.sessionId !== undefined) sessions.delete(session.transport.sessionId);
    };
    await session.server.connect(session.transport);
    await session.transport.handleRequest(req, res);
    // Not an initialize request: no session was created, nothing to keep.
    if (session.transport.sessionId === undefined) await session.server.close();
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, error instanceof Error ? error.message : 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  allowedHosts = [`${hostInUrl}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  return {
    url: `http://${hostInUrl}:${port}${path}`,
    port,
    http,
    sessions: () => sessions.size,
    close: async () => {
      await Promise.all([...sessions.values()].map((s) => s.server.close()));
      sessions.clear();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  // Compare digests, so the comparison time does not depend on where the strings differ or their length.
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
