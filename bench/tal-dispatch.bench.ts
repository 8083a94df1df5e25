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
import { type BenchRow, median, timeNsPerOp, writeResult } from './lib/report';

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
/**
 * Times every case in rounds, one sample of each per round, and keeps each case's median: the load
 * on these shared machines swings within seconds, and interleaving makes every case see the same
 * swings, so the ratios stay fair. (Forcing a GC between samples was tried and made things worse:
 * V8 ages and flushes the bytecode of functions a case has not run for a few GCs.)
 */
async function interleaved(
  cases: Record<string, { run: () => unknown; iterations: number }>,
  rounds: number,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const [name, c] of Object.entries(cases)) {
    samples[name] = [];
    for (let i = 0; i < Math.min(c.iterations, 2000); i++) await c.run(); // warm-up
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, c] of Object.entries(cases)) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < c.iterations; i++) await c.run();
      samples[name]!.push(Number(process.hrtime.bigint() - t0) / c.iterations);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

// Synchronous baselines are timed without await (awaiting them would measure the event loop).
const direct = timeNsPerOp(() => {
  sink += handler({ a: 2, b: 3 }).sum;
}, 2_000_000);
const zodDirect = timeNsPerOp(() => {
  const args = input.parse(call.args);
  sink += output.parse(handler(args)).sum;
}, 500_000);
const t = await interleaved(
  {
    dispatch: { run: () => tal.dispatch(call), iterations: 30_000 },
    // Same await with no TAL work, so the overhead figure is the TAL's and not the event loop's.
    awaitOnly: { run: () => Promise.resolve(handler({ a: 2, b: 3 })), iterations: 30_000 },
    invalid: { run: () => tal.dispatch(badCall), iterations: 5_000 },
    unknown: { run: () => tal.dispatch(unknownCall), iterations: 5_000 },
    fromText: { run: () => tal.dispatch(text), iterations: 5_000 },
    mcp: { run: () => client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }), iterations: 300 },
  },
  21,
);
const [dispatch, awaitOnly, invalid, unknown, fromText, mcp] = [
  t.dispatch!,
  t.awaitOnly!,
  t.invalid!,
  t.unknown!,
  t.fromText!,
  t.mcp!,
];
await client.close();
if (sink === 0) throw new Error('unreachable');

const us = (ns: number) => ns / 1000;
// The shared 2-core machines are often heavily loaded, which inflates every absolute number alike.
// The reference MCP round trip on an idle machine of this kind is ~47 µs; scaling by it
// turns the in-run ratio into an estimate of the idle-machine figure (an estimate, labeled as such).
const referenceMcpUs = 47;
const scaled = (ns: number) =>
  `≈ ${((ns / mcp) * referenceMcpUs).toFixed(2)} µs scaled to the ${referenceMcpUs} µs reference MCP round trip`;
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
    note: `dispatch total ${us(dispatch).toFixed(3)} µs minus an awaited direct handler call (${us(awaitOnly).toFixed(3)} µs); target also asks >= 15x below MCP; ${scaled(overhead)}`,
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
    note: scaled(invalid),
  },
  {
    metric: 'dispatch, unknown tool (closest names)',
    value: us(unknown),
    unit: 'µs/call',
    baseline: us(mcp),
    baselineName: 'MCP SDK in-memory round trip',
    target: 20,
    better: 'lower',
    note: scaled(unknown),
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
