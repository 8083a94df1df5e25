/**
 * Progress output for long work: a live one-line summary with a bar on a terminal, plain lines
 * when stdout is not a TTY, nothing but errors in quiet mode, and JSON lines for scripts.
 */
export type OutputMode = 'pretty' | 'quiet' | 'jsonl';

export interface ProgressEvent {
  type: string;
  [key: string]: unknown;
}

export interface LiveSummary {
  cycle?: number;
  cycles?: number;
  phase?: string;
  episode?: number;
  episodes?: number;
  successRate?: number;
  activeSelf?: string;
  note?: string;
}

export class ProgressReporter {
  private summary: LiveSummary = {};
  private lastLineLength = 0;
  private readonly tty: boolean;

  constructor(
    readonly mode: OutputMode,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = Boolean(stream.isTTY) && mode === 'pretty';
  }

  /** A notable event: printed as a line (pretty), as JSON (jsonl), or not at all (quiet). */
  event(event: ProgressEvent, line?: string): void {
    if (this.mode === 'jsonl') {
      this.stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
      return;
    }
    if (this.mode === 'quiet' || line === undefined) return;
    this.clearLive();
    this.stream.write(`${line}\n`);
    this.drawLive();
  }

  /** Update the live summary (redrawn in place on a terminal). */
  update(patch: LiveSummary): void {
    this.summary = { ...this.summary, ...patch };
    if (this.tty) this.drawLive();
  }

  done(): void {
    this.clearLive();
  }

  private bar(fraction: number, width = 20): string {
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  }

  private liveLine(): string {
    const s = this.summary;
    const parts: string[] = [];
    if (s.cycle !== undefined) parts.push(`cycle ${s.cycle}/${s.cycles ?? '?'}`);
    if (s.phase) parts.push(s.phase);
    if (s.episode !== undefined && s.episodes)
      parts.push(`${this.bar(s.episode / s.episodes)} ep ${s.episode}/${s.episodes}`);
    if (s.successRate !== undefined) parts.push(`success ${(100 * s.successRate).toFixed(0)}%`);
    if (s.activeSelf) parts.push(`self ${s.activeSelf}`);
    if (s.note) parts.push(s.note);
    return parts.join(' | ');
  }

  private drawLive(): void {
    if (!this.tty) return;
    const line = this.liveLine().slice(0, (this.stream.columns ?? 120) - 1);
    this.stream.write(`\r${line.padEnd(this.lastLineLength)}`);
    this.lastLineLength = line.length;
  }

  private clearLive(): void {
    if (!this.tty || this.lastLineLength === 0) return;
    this.stream.write(`\r${' '.repeat(this.lastLineLength)}\r`);
    this.lastLineLength = 0;
  }
}
