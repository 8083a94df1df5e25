/**
 * The reference agent end to end, in its shortened form (`--quick`): real worlds (task website in
 * Chromium, flying-squid with mineflayer bots), SQLite experience store, Selves on the 4-bit
 * chimera-nano, Phoenix cycles. The CLI runs as a child process so a test can kill it like a crash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteExperienceStore } from '@chimera/ues';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunMetrics } from './metrics';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dirs: string[] = [];
/** CLI processes still running: a test that times out must not leave its agent behind. */
const live = new Set<ChildProcess>();

function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chimera-agent-'));
  dirs.push(dir);
  return dir;
}

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, unknown>[];
  stderr: string;
}

/** Runs the CLI in JSON-lines mode; `killWhen` may SIGKILL it (a crash) when an event arrives. */
function runCli(args: string[], killWhen?: (event: Record<string, unknown>) => boolean): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@chimera/source', 'test/run-cli.ts', ...args, '--jsonl'],
      {
        cwd: root,
        env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const events: Record<string, unknown>[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (killWhen?.(event) && child.exitCode === null) child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    live.add(child);
    child.on('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, events, stderr });
    });
  });
}

function metricsOf(dir: string): RunMetrics {
  return JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as RunMetrics;
}

/** What a run's result is: held-out scores per cycle, objectives and their outcomes. */
function outcome(metrics: RunMetrics) {
  return metrics.cycles.map((c) => ({
    cycle: c.cycle,
    heldout: c.heldout.map((s) => [s.family, s.successes, s.episodes]),
    objectives: c.objectives.map((o) => [o.targetSelf, o.summary, o.kept]),
  }));
}

afterEach(() => {
  for (const child of live) child.kill('SIGKILL');
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('reference agent (shortened run)', () => {
  it('runs a Phoenix cycle on both worlds with every part, and writes its report', async () => {
    const out = outDir();
    const run = await runCli(['run', '--quick', '--cycles', '1', '--out', out]);
    expect(run.stderr).not.toMatch(/chimera-agent: /);
    expect(run.code).toBe(0);
    const types = new Set(run.events.map((e) => e.type));
    for (const type of ['memory-plan', 'model', 'world', 'selves', 'phase', 'evaluation'])
      expect(types, `event ${type}`).toContain(type);
    const phases = run.events.filter((e) => e.type === 'phase-start').map((e) => `${e.cycle}:${e.phase}`);
    expect(phases).toEqual(['0:baseline', '1:act', '1:multi-agent', '1:sleep', '1:learn', '1:evaluate']);
    // The 4-bit hybrid-quantized base by default.
    expect(run.events.find((e) => e.type === 'model')?.quantization).toBe('kurtail-splitquant-4bit');

    const metrics = metricsOf(out);
    expect(metrics.cycles.map((c) => c.cycle)).toEqual([0, 1]);
    const environments = new Set(metrics.cycles[0]!.heldout.map((s) => s.environment));
    expect([...environments].sort()).toEqual(['minecraft', 'web']);
    expect(metrics.randomBaseline.length).toBeGreaterThan(0);
    const cycle1 = metrics.cycles[1]!;
    expect(cycle1.training.reduce((n, s) => n + s.episodes, 0)).toBeGreaterThan(0);
    expect(cycle1.multiAgent).toHaveProperty('collaborative');
    expect(cycle1.multiAgent).toHaveProperty('adversarial');
    expect(cycle1.perSelf.length).toBeGreaterThan(0);
    // Each cycle's held-out episodes, step by step, as the evaluation counted them.
    for (const c of metrics.cycles) {
      const lines = readFileSync(join(out, 'heldout', `cycle-${c.cycle}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { family: string; success: boolean; steps: unknown[] });
      expect(lines.length).toBe(c.heldout.reduce((n, s) => n + s.episodes, 0));
      expect(lines.filter((l) => l.success).length).toBe(c.heldout.reduce((n, s) => n + s.successes, 0));
      expect(lines.every((l) => l.steps.length > 0)).toBe(true);
    }

    // Everything on disk: experiences (both worlds, one row per step), adapters with versions, mini-batches, report.
    const store = await SqliteExperienceStore.open(join(out, 'experiences.sqlite'));
    try {
      expect(await store.count({ environment: 'web' })).toBeGreaterThan(0);
      expect(await store.count({ environment: 'minecraft' })).toBeGreaterThan(0);
      // A short run may find no gap with a success to learn from (Sleep then writes no objective);
      // every objective it does write points at stored steps, and was learned or rolled back.
      const files = existsSync(join(out, 'minibatches')) ? readdirSync(join(out, 'minibatches')) : [];
      expect(files.length).toBe(cycle1.objectives.length);
      for (const file of files) {
        const batch = JSON.parse(readFileSync(join(out, 'minibatches', file), 'utf8')) as {
          experienceIds: string[];
        };
        expect((await store.query({ ids: batch.experienceIds })).length).toBe(batch.experienceIds.length);
      }
      for (const objective of cycle1.objectives) expect(objective.outcome).not.toBe('not learned yet');
    } finally {
      await store.close();
    }
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('uPlot');

    // eval scores the run's agent again and writes every step of every held-out episode.
    const evaluation = await runCli(['eval', '--quick', '--env', 'web', '--out', out]);
    expect(evaluation.code).toBe(0);
    const scores = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as { episodes: number }[];
    const traces = readFileSync(join(out, 'eval-episodes.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { family: string; steps: { action?: string; self?: string }[] });
    expect(traces.length).toBe(scores.reduce((n, s) => n + s.episodes, 0));
    for (const trace of traces) {
      expect(trace.steps.length).toBeGreaterThan(0);
      for (const s of trace.steps) {
        expect(typeof s.action).toBe('string');
        expect(typeof s.self).toBe('string');
      }
    }
  }, 900_000);

  it('killed mid-run and started again, ends with the same results as an uninterrupted run', async () => {
    const args = ['run', '--quick', '--env', 'web', '--cycles', '1'];
    const straight = outDir();
    const reference = await runCli([...args, '--out', straight]);
    expect(reference.code).toBe(0);

    const crashed = outDir();
    // A crash in the middle of the act phase (its third training episode), with steps already stored.
    let acted = 0;
    const first = await runCli(
      [...args, '--out', crashed],
      (e) => e.type === 'episode' && e.phase === 'act' && ++acted === 3,
    );
    expect(first.signal).toBe('SIGKILL');
    const resumed = await runCli([...args, '--out', crashed]);
    expect(resumed.code).toBe(0);
    expect(resumed.events.some((e) => e.type === 'resumed')).toBe(true);
    expect(outcome(metricsOf(crashed))).toEqual(outcome(metricsOf(straight)));
  }, 900_000);
});
