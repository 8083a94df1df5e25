/**
 * An MCP stdio server over the realistic test tools, spawned by mcp-bridge.test.ts with
 * `node --import tsx --conditions=@chimera/source`.
 */
import { serveMcpStdio } from '@chimera/toolbelt/mcp';
import { realisticTools } from '../../__fixtures__/realistic-tools';

const { registry, entities } = realisticTools();
entities.assign('tab-1', 'button "Place order"');
await serveMcpStdio(registry, { name: 'fixture-tools' });
