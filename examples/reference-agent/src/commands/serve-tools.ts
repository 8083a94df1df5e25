/**
 * `serve-tools`: the agent's web toolbelt (Playwright tools on the embedded task site, origin
 * allowlist enforced by the TAL's guard) served over MCP: stdio by default, streamable HTTP on
 * loopback with a bearer token with --http. Any MCP client can drive the same tools the agent uses.
 */
import { randomBytes } from 'node:crypto';
import { ToolAbstractionLayer, ToolRegistry } from '@chimera/toolbelt';
import { serveMcpHttp, serveMcpStdio } from '@chimera/toolbelt/mcp';
import { createPlaywrightToolset } from '@chimera/toolbelt/playwright';
import { startTaskSite } from '@chimera/worlds/web';
import type { CliOptions } from '../cli';

export async function serveToolsCommand(options: CliOptions): Promise<number> {
  const site = await startTaskSite({});
  const toolset = await createPlaywrightToolset({ allowlist: [site.origin] });
  const registry = new ToolRegistry();
  for (const tool of toolset.tools) registry.register(tool);
  const tal = new ToolAbstractionLayer({ registry, guards: [toolset.guard] });
  const shutdown = async () => {
    await toolset.close().catch(() => undefined);
    await site.close().catch(() => undefined);
  };
  // Logs go to stderr: on stdio, stdout belongs to the MCP protocol.
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.http) {
    const token = process.env.CHIMERA_MCP_TOKEN ?? randomBytes(24).toString('hex');
    const handle = await serveMcpHttp(tal, { token, port: options.port });
    log(
      `MCP over streamable HTTP at ${handle.url} (Authorization: Bearer ${token}); task site ${site.origin}`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await handle.close();
  } else {
    const handle = await serveMcpStdio(tal);
    log(`MCP over stdio: ${registry.names().length} tools; task site ${site.origin}`);
    await new Promise<void>((resolve) => {
      process.stdin.once('end', resolve);
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await handle.close();
  }
  await shutdown();
  return 0;
}
