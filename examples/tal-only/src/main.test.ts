import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotebookTal } from './main';

const exampleRoot = fileURLToPath(new URL('..', import.meta.url));
const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('TAL-only example over MCP stdio', () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ name: 'example-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', '--conditions=@chimera/source', 'src/main.ts'],
        cwd: exampleRoot,
        env: { ...(process.env as Record<string, string>), CHIMERA_QUIET: '1' },
        stderr: 'inherit',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('serves the notebook tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['notes_add', 'notes_search', 'notes_open']);
    expect(tools[1]!.annotations?.readOnlyHint).toBe(true);
  });

  it('adds, searches by short id, and opens a note', async () => {
    await client.callTool({
      name: 'notes_add',
      arguments: { title: 'Groceries', body: 'eggs, flour', tags: ['home'] },
    });
    await client.callTool({ name: 'notes_add', arguments: { title: 'Standup', body: 'demo the TAL' } });
    const found = (await client.callTool({
      name: 'notes_search',
      arguments: { query: 'tal' },
    })) as CallToolResult;
    expect(found.structuredContent).toEqual({ hits: [{ id: 'n1', title: 'Standup' }] });
    const opened = (await client.callTool({ name: 'notes_open', arguments: { id: 'n1' } })) as CallToolResult;
    expect(opened.structuredContent).toEqual({ title: 'Standup', body: 'demo the TAL', tags: [] });
  });

  it('returns correctable errors: invalid arguments and stale ids', async () => {
    const bad = (await client.callTool({
      name: 'notes_open',
      arguments: { id: 'Standup' },
    })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(JSON.parse(text(bad))).toMatchObject({
      code: 'invalid_arguments',
      details: { path: '$.id', received: 'string "Standup"' },
    });
    await client.callTool({ name: 'notes_add', arguments: { title: 'Later', body: '…' } });
    const stale = (await client.callTool({ name: 'notes_open', arguments: { id: 'n1' } })) as CallToolResult;
    expect(JSON.parse(text(stale))).toMatchObject({
      code: 'stale_entity',
      details: { id: 'n1', reason: 'stale' },
    });
  });
});

describe('TAL-only example in process', () => {
  it('rate-limits notes_add', async () => {
    const tal = createNotebookTal();
    const codes: string[] = [];
    for (let i = 0; i < 31; i++) {
      const result = await tal.dispatch({ tool: 'notes_add', args: { title: `t${i}`, body: '' } });
      codes.push(result.ok ? 'ok' : result.error.code);
    }
    expect(codes.at(-1)).toBe('rate_limited');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(30);
  });
});
