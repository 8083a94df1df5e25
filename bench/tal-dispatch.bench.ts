/**
 * TAL dispatch overhead for a small two-number tool (look up + zod validation in and out), against
 * calling the handler directly, zod in+out around the handler without the TAL, and the same tool
 * through the MCP SDK's own McpServer and Client over InMemoryTransport. Also the error paths
 * (invalid arguments, unknown tool) and model-text input.
 */
import { defineTool, ToolAbstractionLayer, ToolRegistry } from '@chimera/toolbelt';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { type BenchRow, timeNsPerOp, timeNsPerOpAsync, writeResult } from './lib/report';

const input = z.object({ a: z.number(), b: z.number() });
const output = z.object({ sum: z.number() });
const handler = ({ a, b }: { a: number; b: number }) => ({ sum: a + b });

const add = defineTool({
  name: 'add',
  description: 'Add two numbers.',
  environmentTags: ['math'],
  input,
  output,
  handler,
});
const tal = new ToolAbstractionLayer({ registry: new ToolRegistry([add]) });
const call = { tool: 'add', args: { a: 2, b: 3 } };
const badCall = { tool: 'add', args: { a: 2, b: 'three' } };
const unknownCall = { tool: 'ad', args: { a: 2, b: 3 } };
const text = '```json\n{"tool": "add", "args": {"a": 2, "b": 3}}\n```';

// Sanity: every path does what it claims before it is timed.
const check = async () => {
  const ok = await tal.dispatch(call);
  const bad = await tal.dispatch(badCall);
  const unknown = await tal.dispatch(unknownCall);
  const parsed = await tal.dispatch(text);
  if (!ok.ok || bad.ok || unknown.ok || !parsed.ok) throw new Error('dispatch paths misbehave');
  if (bad.error.code !== 'invalid_arguments' || unknown.error.code !== 'unknown_tool')
    throw new Error('wrong codes');
};
await check();

const mcpServer = new McpServer({ name: 'bench', version: '1.0.0' });
mcpServer.registerTool(
  'add',
  { description: 'Add two numbers.', inputSchema: input.shape, outputSchema: output.shape },
  async ({ a, b }) => ({
    content: [{ type: 'text', text: JSON.stringify({ sum: a + b }) }],
    structuredContent: { sum: a + b },
  }),
);
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
const client = new Client({ name: 'bench', version: '1.0.0' });
await mcpServer.connect(serverSide);
await client.connect(clientSide);
await client.listTools(); // the client caches output validators from tools/list, as a real client would

let sink = 0;
const direct = timeNsPerOp(() => {
  sink += handler({ a: 2, b: 3 }).sum;
}, 2_000_000);
const zodDirect = timeNsPerOp(() => {
  const args = input.parse(call.args);
  sink += output.parse(handler(args)).sum;
}, 500_000);
const dispatch = await timeNsPerOpAsync(() => tal.dispatch(call), 300_000, 9);
// Same await cost with no work, so the overhead figure is the TAL's and not the event loop's.
const awaitOnly = await timeNsPerOpAsync(() => Promise.resolve(handler({ a: 2, b: 3 })), 300_000, 9);
const invalid = await timeNsPerOpAsync(() => tal.dispatch(badCall), 100_000, 9);
const unknown = await timeNsPerOpAsync(() => tal.dispatch(unknownCall), 100_000, 9);
const fromText = await timeNsPerOpAsync(() => tal.dispatch(text), 100_000, 9);
const mcp = await timeNsPerOpAsync(
  () => client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }),
  5_000,
  7,
);
await client.close();
if (sink === 0) throw new Error('unreachable');

const us = (ns: number) => ns / 1000;
const overhead = dispatch - awaitOnly;
const rows: BenchRow[] = [
  {
    metric: 'dispatch overhead (lookup + zod in/out), valid call',
    value: us(overhead),
    unit: 'µs/call',
    baseline: us(mcp),
    baselineName: 'MCP SDK in-memory round trip',
    target: 3,
    better: 'lower',
    note: `dispatch total ${us(dispatch).toFixed(3)} µs minus an awaited direct handler call (${us(awaitOnly).toFixed(3)} µs); target also asks >= 15x below MCP`,
  },
  {
    metric: 'dispatch total, valid call (awaited)',
    value: us(dispatch),
    unit: 'µs/call',
    baseline: us(zodDirect),
    baselineName: 'zod in + handler + zod out, called directly (sync)',
    better: 'lower',
  },
  {
    metric: 'dispatch total, valid call (awaited)',
    value: us(dispatch),
    unit: 'µs/call',
    baseline: us(direct),
    baselineName: 'handler called directly (sync)',
    better: 'lower',
  },
  {
    metric: 'dispatch, invalid arguments (structured error)',
    value: us(invalid),
    unit: 'µs/call',
    baseline: us(mcp),
    baselineName: 'MCP SDK in-memory round trip',
    target: 20,
    better: 'lower',
  },
  {
    metric: 'dispatch, unknown tool (closest names)',
    value: us(unknown),
    unit: 'µs/call',
    baseline: us(mcp),
    baselineName: 'MCP SDK in-memory round trip',
    target: 20,
    better: 'lower',
  },
  {
    metric: 'dispatch from model text (fenced JSON)',
    value: us(fromText),
    unit: 'µs/call',
    baseline: us(dispatch),
    baselineName: 'dispatch of the same call as an object',
    better: 'lower',
  },
];
writeResult('tal-dispatch', rows);
