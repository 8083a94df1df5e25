/**
 * Minecraft start-up: how long until the embedded server listens, a bot has spawned, and a server
 * plus two bots are ready (target: under 4 s), and what they cost in memory. The in-run baseline
 * is flying-squid 1.12 as shipped (`fixes: false`), started the same way (child process).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connectBot, disconnectBot } from '@chimera/toolbelt/mineflayer';
import {
  createMinecraftEnvironment,
  type MinecraftServer,
  startMinecraftServer,
} from '@chimera/worlds/minecraft';
import { type BenchRow, median, writeResult } from './lib/report';

const RUNS = 3;

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

interface Run {
  serverReadyMs: number;
  serverInProcessMs: number;
  firstBotMs: number;
  secondBotMs: number;
  totalTwoBotsMs: number;
  serverRssMb: number;
  /** Heap and external memory the two bots added to the host process (after GC). */
  botsHostMb: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const hostMb = () => {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.external + m.arrayBuffers) / 2 ** 20;
};

async function once(fixes: boolean, run: number): Promise<Run> {
  const t0 = performance.now();
  const server: MinecraftServer = await startMinecraftServer({ fixes, seed: run + 1 });
  const serverReadyMs = performance.now() - t0;
  const hostBefore = hostMb();
  // One after the other, as the environment joins agents (joining together was slower on 2 cores).
  const t1 = performance.now();
  const first = await connectBot({ port: server.port, username: `bench_a${run}` });
  const firstBotMs = performance.now() - t1;
  const t2 = performance.now();
  const second = await connectBot({ port: server.port, username: `bench_b${run}` });
  const secondBotMs = performance.now() - t2;
  const totalTwoBotsMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const result: Run = {
    serverReadyMs,
    serverInProcessMs: server.startup.serverMs,
    firstBotMs,
    secondBotMs,
    totalTwoBotsMs,
    serverRssMb: rssMb(server.pid),
    botsHostMb: hostMb() - hostBefore,
  };
  await Promise.all([disconnectBot(first), disconnectBot(second)]);
  // The bare server's quit() leaves its timers running: it exits only by the stop grace kill.
  await server.stop();
  return result;
}

function summarize(runs: Run[]): Run {
  const pick = (key: keyof Run) => median(runs.map((r) => r[key]));
  return {
    serverReadyMs: pick('serverReadyMs'),
    serverInProcessMs: pick('serverInProcessMs'),
    firstBotMs: pick('firstBotMs'),
    secondBotMs: pick('secondBotMs'),
    totalTwoBotsMs: pick('totalTwoBotsMs'),
    serverRssMb: pick('serverRssMb'),
    botsHostMb: pick('botsHostMb'),
  };
}

// Interleaved, so that the (heavy, shifting) load of this shared machine hits both alike.
const load = loadavg()[0]!;
const bareRuns: Run[] = [];
const fixedRuns: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  bareRuns.push(await once(false, i));
  fixedRuns.push(await once(true, i + 10));
}
const bare = summarize(bareRuns);
const fixed = summarize(fixedRuns);
const loadNote = `1-min load average ${load.toFixed(1)} at the start (2 cores shared with other jobs)`;
const baselineName = 'flying-squid 1.12 as shipped';
const rows: BenchRow[] = [
  {
    metric: `server ready (fork to listening, median of ${RUNS})`,
    value: fixed.serverReadyMs,
    unit: 'ms',
    baseline: bare.serverReadyMs,
    baselineName,
    better: 'lower',
    note: 'includes starting a Node child process and loading TypeScript through tsx',
  },
  {
    metric: 'server ready inside its process (plugins + listen)',
    value: fixed.serverInProcessMs,
    unit: 'ms',
    baseline: bare.serverInProcessMs,
    baselineName,
    better: 'lower',
  },
  {
    metric: 'first bot spawned (connect to spawn event)',
    value: fixed.firstBotMs,
    unit: 'ms',
    baseline: bare.firstBotMs,
    baselineName,
    better: 'lower',
  },
  {
    metric: 'second bot spawned (after the first)',
    value: fixed.secondBotMs,
    unit: 'ms',
    baseline: bare.secondBotMs,
    baselineName,
    better: 'lower',
  },
  {
    metric: 'server + two bots ready (fork to both spawned)',
    value: fixed.totalTwoBotsMs,
    unit: 'ms',
    baseline: bare.totalTwoBotsMs,
    baselineName,
    target: 4000,
    better: 'lower',
    note: loadNote,
  },
  {
    metric: 'server process resident memory with two bots',
    value: fixed.serverRssMb,
    unit: 'MB',
    baseline: bare.serverRssMb,
    baselineName,
    better: 'lower',
  },
  {
    metric: 'host memory added by two bots (heap + external, after GC)',
    value: fixed.botsHostMb,
    unit: 'MB',
    baseline: bare.botsHostMb,
    baselineName,
    better: 'lower',
  },
];

/**
 * Step latency in an episode (no baseline: crafting does not work on the bare server at all). A
 * wooden pickaxe from an empty inventory: one collect, then crafts, through the environment.
 */
async function episodeSteps(): Promise<{ collectMs: number; craftMs: number; startMs: number }> {
  const env = await createMinecraftEnvironment({ seed: 3 });
  const task = env.generator.generate({
    family: 'craft-wooden-pickaxe',
    difficulty: 2,
    seed: 21,
    split: 'heldout',
  });
  const plan = [
    'collect oak_log 3',
    'craft oak_planks x2',
    'craft oak_planks x1',
    'craft stick x1',
    'craft crafting_table x1',
    'craft wooden_pickaxe x1',
  ];
  const collect: number[] = [];
  const craft: number[] = [];
  const starts: number[] = [];
  for (let episode = 0; episode < RUNS; episode++) {
    const t0 = performance.now();
    const session = await env.start(task, { agentId: 'bench' });
    // The first start connects the bot; later ones only reset the region and the inventory.
    if (episode > 0) starts.push(performance.now() - t0);
    let observation = await session.observe();
    for (const text of plan) {
      const candidate = session.candidates(observation).find((c) => c.text === text);
      if (!candidate) throw new Error(`no candidate "${text}"`);
      const t = performance.now();
      const outcome = await session.step(candidate.call);
      (text.startsWith('collect') ? collect : craft).push(performance.now() - t);
      observation = outcome.observation;
    }
    if (!(await session.verdict()).success) throw new Error('the scripted pickaxe episode failed');
    await session.close();
  }
  await env.close();
  return { collectMs: median(collect), craftMs: median(craft), startMs: median(starts) };
}

const steps = await episodeSteps();
rows.push(
  {
    metric: 'episode start with a connected bot (region reset, inventory, sync)',
    value: steps.startMs,
    unit: 'ms',
    better: 'lower',
  },
  { metric: 'step: craft_item (median over the chain)', value: steps.craftMs, unit: 'ms', better: 'lower' },
  {
    metric: 'step: collect_blocks oak_log 3 (walk, dig with Haste 50, pick up)',
    value: steps.collectMs,
    unit: 'ms',
    better: 'lower',
  },
);
writeResult('minecraft-startup', rows);
