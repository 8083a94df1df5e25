/**
 * chimera-agent: the reference agent's command-line program.
 *
 *   run          Phoenix cycles on the embedded worlds (resumes from --out if a run is there)
 *   eval         held-out tasks, no learning
 *   report       render <out>/report.html from <out>/metrics.json
 *   selves       list, inspect, compose adapters
 *   serve-tools  expose the toolbelt over MCP (stdio, or streamable HTTP with --http)
 */
import { parseArgs } from 'node:util';
import type { OutputMode } from './progress';

export const HELP = `Usage: chimera-agent <command> [options]

Commands:
  run            Run Phoenix cycles on the embedded worlds (default command)
  eval           Evaluate held-out tasks with the current Selves, no learning
  report         Render <out>/report.html from <out>/metrics.json
  selves         list | inspect <name> | compose <new> <a> <b> [--method svd|cat|ties|dare_ties|linear]
  serve-tools    Serve the toolbelt over MCP (stdio by default, --http [--port N])

Options:
  --env web|minecraft|both   Environments to use (default: both)
  --cycles N                 Phoenix cycles after the cycle-0 evaluation (default: 3)
  --seed N                   Seed for everything (default: 1)
  --out DIR                  Output directory (default: ./chimera-output)
  --backend B                Policy: embedded (chimera-nano, default), or for eval a language model:
                             gguf:<model.gguf> (in process, needs node-llama-cpp; Selves' GGUF LoRAs
                             from --selves-gguf DIR as <Self>.gguf) or openai:<base URL with /v1>
                             (llama-server, vLLM, Ollama; --served-model NAME, default the first)
  --full-precision           Run the base model in float32 instead of the 4-bit hybrid-quantized one
  --episodes N               Training episodes per cycle (default: run's preset)
  --families A,B             Only these task families (names, or environment/name)
  --max-difficulty N         Highest task difficulty in the curriculum and evaluations (default: 0)
  --no-memory                Ablation: act without episodic memory (only the fine-tuned Selves learn)
  --quick                    A shortened run (used by the test suite)
  --quiet | --jsonl          Quiet output, or JSON lines for scripts
  --help                     This help
`;

export interface CliOptions {
  command: string;
  positionals: string[];
  env: 'web' | 'minecraft' | 'both';
  cycles: number;
  seed: number;
  out: string;
  backend: string;
  /** Directory of <Self>.gguf LoRA files for --backend gguf:... */
  selvesGguf?: string;
  /** Served model id for --backend openai:... */
  servedModel?: string;
  fullPrecision: boolean;
  /** Ablation: no episodic memory. */
  noMemory: boolean;
  episodes?: number;
  /** Only these families (`name` or `environment/name`). */
  families?: string[];
  maxDifficulty?: number;
  quick: boolean;
  mode: OutputMode;
  method: string;
  http: boolean;
  port: number;
}

export function parseCli(argv: string[]): CliOptions | { help: true } | { error: string } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        env: { type: 'string', default: 'both' },
        cycles: { type: 'string', default: '3' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: 'chimera-output' },
        backend: { type: 'string', default: 'embedded' },
        'selves-gguf': { type: 'string' },
        'served-model': { type: 'string' },
        'full-precision': { type: 'boolean', default: false },
        'no-memory': { type: 'boolean', default: false },
        episodes: { type: 'string' },
        families: { type: 'string' },
        'max-difficulty': { type: 'string' },
        quick: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        jsonl: { type: 'boolean', default: false },
        method: { type: 'string', default: 'svd' },
        http: { type: 'boolean', default: false },
        port: { type: 'string', default: '0' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return { help: true };
  const [command = 'run', ...positionals] = parsed.positionals;
  const env = v.env as string;
  if (env !== 'web' && env !== 'minecraft' && env !== 'both')
    return { error: `--env must be web, minecraft or both (got ${env})` };
  const int = (name: string, value: unknown): number | { error: string } => {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0
      ? n
      : { error: `--${name} must be a non-negative integer (got ${String(value)})` };
  };
  const cycles = int('cycles', v.cycles);
  if (typeof cycles !== 'number') return cycles;
  const seed = int('seed', v.seed);
  if (typeof seed !== 'number') return seed;
  const port = int('port', v.port);
  if (typeof port !== 'number') return port;
  let episodes: number | undefined;
  if (v.episodes !== undefined) {
    const e = int('episodes', v.episodes);
    if (typeof e !== 'number') return e;
    episodes = e;
  }
  let maxDifficulty: number | undefined;
  if (v['max-difficulty'] !== undefined) {
    const d = int('max-difficulty', v['max-difficulty']);
    if (typeof d !== 'number') return d;
    maxDifficulty = d;
  }
  const backend = v.backend as string;
  if (backend !== 'embedded' && !/^(gguf|openai):.+/.test(backend)) {
    return {
      error: `--backend must be embedded, gguf:<model.gguf> or openai:<base URL> (got ${backend})`,
    };
  }
  if (backend !== 'embedded' && command !== 'eval') {
    return {
      error: `--backend ${backend} works with eval only: run learns by QuZO fine-tuning of chimera-nano's Selves, and a GGUF or served model takes its adapters as fixed files (docs/language-models.md)`,
    };
  }
  return {
    command,
    positionals,
    env,
    cycles,
    seed,
    out: v.out as string,
    backend,
    ...(v['selves-gguf'] !== undefined ? { selvesGguf: v['selves-gguf'] as string } : {}),
    ...(v['served-model'] !== undefined ? { servedModel: v['served-model'] as string } : {}),
    fullPrecision: Boolean(v['full-precision']),
    noMemory: Boolean(v['no-memory']),
    episodes,
    ...(typeof v.families === 'string'
      ? {
          families: v.families
            .split(',')
            .map((f) => f.trim())
            .filter((f) => f.length > 0),
        }
      : {}),
    ...(maxDifficulty !== undefined ? { maxDifficulty } : {}),
    quick: Boolean(v.quick),
    mode: v.jsonl ? 'jsonl' : v.quiet ? 'quiet' : 'pretty',
    method: v.method as string,
    http: Boolean(v.http),
    port,
  };
}

export async function main(argv: string[]): Promise<number> {
  const options = parseCli(argv);
  if ('help' in options) {
    process.stdout.write(HELP);
    return 0;
  }
  if ('error' in options) {
    process.stderr.write(`chimera-agent: ${options.error}\n\n${HELP}`);
    return 2;
  }
  switch (options.command) {
    case 'run':
    case 'eval': {
      const { runAgent } = await import('./run-agent');
      return runAgent(options);
    }
    case 'report': {
      const { reportCommand } = await import('./commands/report');
      return reportCommand(options);
    }
    case 'selves': {
      const { selvesCommand } = await import('./commands/selves');
      return selvesCommand(options);
    }
    case 'serve-tools': {
      const { serveToolsCommand } = await import('./commands/serve-tools');
      return serveToolsCommand(options);
    }
    default:
      process.stderr.write(`chimera-agent: unknown command "${options.command}"\n\n${HELP}`);
      return 2;
  }
}
