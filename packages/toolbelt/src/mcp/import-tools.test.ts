/**
 * Our MCP client against a real third-party server: @playwright/mcp driving Debian's Chromium.
 * Its tools are imported into a registry and called through the TAL like local tools.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolAbstractionLayer, ToolRegistry } from '../index';
import { importMcpServer, type McpConnection } from './index';

const chromium = '/usr/bin/chromium';
// The package exports no `./cli.js`; find it beside its package.json (the bin entry).
const cli = join(dirname(createRequire(import.meta.url).resolve('@playwright/mcp/package.json')), 'cli.js');

const page = `<!doctype html><html><head><title>Order form</title></head><body>
<h1>Place an order</h1>
<button id="go" onclick="document.getElementById('out').textContent='ordered'">Place order</button>
<p id="out">waiting</p></body></html>`;

describe.skipIf(!existsSync(chromium))('importMcpServer against @playwright/mcp', () => {
  let site: Server;
  let siteUrl: string;
  let connection: McpConnection;
  let workDir: string;
  const registry = new ToolRegistry();
  const tal = new ToolAbstractionLayer({ registry, defaultTimeoutMs: 30_000 });

  beforeAll(async () => {
    // The server writes snapshots and logs under its working directory: keep them out of the repo.
    workDir = await mkdtemp(join(tmpdir(), 'chimera-pw-mcp-'));
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    // #region import-mcp
    connection = await importMcpServer(
      registry,
      {
        command: process.execPath,
        args: [cli, '--headless', '--isolated', '--executable-path', chromium, '--no-sandbox'],
        cwd: workDir,
        stderr: 'ignore',
      },
      { prefix: 'pw_', environmentTags: ['web', 'playwright-mcp'] },
    );
    // registry now holds pw_browser_navigate, pw_browser_click, ...: dispatched through the TAL and
    // validated locally (ajv) before anything is sent. connection.close() stops the server.
    // #endregion
  }, 60_000);

  afterAll(async () => {
    await connection?.close();
    await new Promise((resolve) => site?.close(resolve));
    await rm(workDir, { recursive: true, force: true });
  });

  it('imports the remote tools with their JSON Schemas, prefixed and tagged', () => {
    const names = registry.names();
    expect(names).toContain('pw_browser_navigate');
    expect(names).toContain('pw_browser_click');
    expect(names.every((n) => n.startsWith('pw_'))).toBe(true);
    expect(registry.list({ tag: 'playwright-mcp' }).length).toBe(names.length);
    expect(registry.get('pw_browser_navigate')!.inputSchema).toMatchObject({ properties: { url: {} } });
  });

  it('navigates, snapshots and clicks a real page through the TAL', async () => {
    const navigated = await tal.dispatch({ tool: 'pw_browser_navigate', args: { url: siteUrl } });
    expect(navigated.ok, JSON.stringify(navigated)).toBe(true);

    const snapshot = await tal.dispatch({ tool: 'pw_browser_snapshot', args: {} });
    expect(snapshot.ok).toBe(true);
    const text = snapshot.ok ? String(snapshot.value) : '';
    const ref = /button "Place order" \[ref=(\w+)\]/.exec(text)?.[1];
    expect(ref, text).toBeDefined();

    const clicked = await tal.dispatch({
      tool: 'pw_browser_click',
      args: { element: 'Place order button', target: ref },
    });
    expect(clicked.ok, JSON.stringify(clicked)).toBe(true);
    const after = await tal.dispatch({ tool: 'pw_browser_snapshot', args: {} });
    expect(after.ok ? String(after.value) : '').toContain('paragraph [ref=e4]: ordered');
  }, 60_000);

  it('rejects bad arguments locally, before anything is sent', async () => {
    const result = await tal.dispatch('{"tool": "pw_browser_navigate", "args": {"uri": "http://x"}}');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(result.ok ? '' : result.error.message).toMatch(/url/);
  });

  it('turns a remote tool error into a structured handler_error', async () => {
    const result = await tal.dispatch({
      tool: 'pw_browser_click',
      args: { element: 'ghost', target: 'e9999' },
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'handler_error', details: { remoteTool: 'browser_click' } },
    });
  }, 60_000);
});
