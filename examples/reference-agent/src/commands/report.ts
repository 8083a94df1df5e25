import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliOptions } from '../cli';
import type { RunMetrics } from '../metrics';
import { renderReport } from '../report/render-report';

/** Writes <out>/report.html from <out>/metrics.json and returns its path. */
export function writeReport(out: string): string {
  const metricsPath = join(out, 'metrics.json');
  if (!existsSync(metricsPath)) {
    throw new Error(`no metrics at ${metricsPath}: run \`chimera-agent run --out ${out}\` first`);
  }
  const metrics = JSON.parse(readFileSync(metricsPath, 'utf8')) as RunMetrics;
  const path = join(out, 'report.html');
  writeFileSync(path, renderReport(metrics));
  return path;
}

export async function reportCommand(options: CliOptions): Promise<number> {
  try {
    const path = writeReport(resolve(options.out));
    process.stdout.write(`report written to ${path}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`chimera-agent report: ${(error as Error).message}\n`);
    return 1;
  }
}
