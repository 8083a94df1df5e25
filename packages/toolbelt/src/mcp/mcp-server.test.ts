import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { realisticTools } from '../__fixtures__/realistic-tools';
import { defineTool, ToolAbstractionLayer } from '../index';
import { createMcpServer, serveMcpHttp } from './index';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function inMemoryClient(target: Parameters<typeof createMcpServer>[0], options = {}) {
  const server = createMcpServer(target, options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return { client, server };
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('createMcpServer (official SDK client, in-memory)', () => {
  it('lists every tool in its MCP shape', async () => {
    const { registry } = realisticTools();
    const { client } = await inMemoryClient(registry);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(registry.names().sort());
    const add = tools.find((t) => t.name === 'add')!;
    expect(add.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    expect(add.outputSchema).toMatchObject({ type: 'object', properties: { sum: { type: 'number' } } });
  });

  it('calls a tool through the TAL and returns text plus structured content', async () => {
    const { registry, calls } = realisticTools();
    const { client } = await inMemoryClient(registry);
    const result = (await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ sum: 42 });
    expect(text(result)).toBe('{"sum":42}');
    expect(calls).toEqual([{ tool: 'add', args: { a: 2, b: 40 } }]);
  });

  it('returns invalid arguments and unknown tools as model-readable isError results', async () => {
    const { registry, calls } = realisticTools();
    const { client } = await inMemoryClient(registry);
    const bad = (await client.callTool({ name: 'add', arguments: { a: 'two', b: 1 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(JSON.parse(text(bad))).toMatchObject({
      code: 'invalid_arguments',
      details: { path: '$.a', expected: 'number', received: 'string "two"' },
    });
    const unknown = (await client.callTool({ name: 'ad', arguments: {} })) as CallToolResult;
    expect(JSON.parse(text(unknown))).toMatchObject({ code: 'unknown_tool', details: { closest: ['add'] } });
    expect(calls).toEqual([]);
  });

  it('applies the TAL permissions to MCP callers and hides filtered tools', async () => {
    const { registry } = realisticTools();
    const tal = new ToolAbstractionLayer({ registry, permissions: { tools: { add: 'deny' } } });
    const { client } = await inMemoryClient(tal, { filter: { tag: 'minecraft' } });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['mc_craft_item', 'mc_go_to']);
    const hidden = (await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })) as CallToolResult;
    expect(JSON.parse(text(hidden)).code).toBe('unknown_tool');
    const tal2 = new ToolAbstractionLayer({ registry, permissions: { tools: { add: 'deny' } } });
    const { client: client2 } = await inMemoryClient(tal2);
    const denied = (await client2.callTool({ name: 'add', arguments: { a: 1, b: 1 } })) as CallToolResult;
    expect(JSON.parse(text(denied)).code).toBe('permission_denied');
  });

  it('tells connected clients when the tool list changes', async () => {
    const { registry } = realisticTools();
    const { client } = await inMemoryClient(registry);
    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve());
    });
    registry.register(
      defineTool({
        name: 'late_tool',
        description: 'Registered after connect.',
        environmentTags: [],
        input: z.object({}),
        output: z.object({}),
        handler: () => ({}),
      }),
    );
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('late_tool');
  });
});

describe('serveMcpHttp (official SDK client over streamable HTTP)', () => {
  const token = 'test-token-0123456789abcdef';

  it('serves a TAL, with its permissions, to MCP clients', async () => {
    const { registry } = realisticTools();
    // #region serve-mcp
    const tal = new ToolAbstractionLayer({ registry, permissions: { tags: { minecraft: 'deny' } } });
    const server = await serveMcpHttp(tal, { token: process.env.MCP_TOKEN ?? 'a-long-random-secret-token' });
    // server.url is http://127.0.0.1:<port>/mcp; clients must send `Authorization: Bearer <token>`.
    // For a client that spawns this process instead: `await serveMcpStdio(tal)`.
    // #endregion
    cleanups.push(() => server.close());
    const client = new Client({ name: 'doc-client', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: {
          headers: { Authorization: `Bearer ${process.env.MCP_TOKEN ?? 'a-long-random-secret-token'}` },
        },
      }),
    );
    cleanups.push(() => client.close());
    const denied = (await client.callTool({
      name: 'mc_go_to',
      arguments: { x: 1, y: 2, z: 3 },
    })) as CallToolResult;
    expect(JSON.parse(text(denied)).code).toBe('permission_denied');
  });

  it('serves on loopback with a bearer token and refuses requests without it', async () => {
    const { registry } = realisticTools();
    const handle = await serveMcpHttp(registry, { token });
    cleanups.push(() => handle.close());
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const anonymous = await fetch(handle.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(anonymous.status).toBe(401);

    const client = new Client({ name: 'http-client', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(handle.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    cleanups.push(() => client.close());
    const result = (await client.callTool({
      name: 'mc_craft_item',
      arguments: { item: 'stick', count: 4 },
    })) as CallToolResult;
    expect(result.structuredContent).toEqual({ crafted: 4 });
    expect(handle.sessions()).toBe(1);

    const wrong = new Client({ name: 'wrong', version: '1.0.0' });
    await expect(
      wrong.connect(
        new StreamableHTTPClientTransport(new URL(handle.url), {
          requestInit: { headers: { Authorization: 'Bearer not-the-token-at-all' } },
        }),
      ),
    ).rejects.toThrow();
  });

  it('will not listen beyond loopback, or without a real token, unless told', async () => {
    const { registry } = realisticTools();
    await expect(serveMcpHttp(registry, { token, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(serveMcpHttp(registry, { token: 'short' })).rejects.toThrow(/16 characters/);
  });
});

describe('serveMcpStdio (official SDK client spawning the server)', () => {
  it('serves the tools of a child process over stdio', async () => {
    const client = new Client({ name: 'stdio-client', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', '--conditions=@chimera/source', 'src/mcp/__fixtures__/stdio-server.ts'],
        cwd: packageRoot,
        stderr: 'inherit',
      }),
    );
    cleanups.push(() => client.close());
    expect(client.getServerVersion()?.name).toBe('fixture-tools');
    const ok = (await client.callTool({
      name: 'browser_click',
      arguments: { element: 'e1' },
    })) as CallToolResult;
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(ok.structuredContent).toEqual({ clicked: 'button "Place order"' });
    const stale = (await client.callTool({
      name: 'browser_click',
      arguments: { element: 'e7' },
    })) as CallToolResult;
    expect(JSON.parse(text(stale))).toMatchObject({ code: 'stale_entity', details: { reason: 'unknown' } });
  }, 60_000);
});
