/**
 * JSONL interchange: one experience per line, the record exactly as stored, plus (when it has
 * any) its learning-signal history under `signals`. Export streams through `iterate`, import
 * streams line by line and appends in batches, migrating records written under older schema
 * versions. Image bytes are not inside: records carry their blob references.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { SchemaValidationError } from '../../errors/schema-validation-error';
import { UesError } from '../../errors/ues-error';
import type { Experience } from '../../schema/experience-schema';
import { migrateExperience } from '../../schema/migrations';
import type {
  ExperienceFilter,
  ExperienceStore,
  SignalUpdate,
  SignalVersion,
} from '../../store/experience-store';

export interface JsonlLine extends Experience {
  signals?: SignalVersion[];
}

export interface ExportOptions {
  filter?: ExperienceFilter;
  /** Include each record's signal history (default true). */
  signals?: boolean;
}

/** Writes matching records to a file path or a writable stream; resolves with the line count. */
export async function exportJsonl(
  store: ExperienceStore,
  target: string | Writable,
  options: ExportOptions = {},
): Promise<number> {
  const out = typeof target === 'string' ? createWriteStream(target) : target;
  let lines = 0;
  const withSignals = options.signals ?? true;
  let pending: Experience[] = [];
  const flush = async () => {
    const history = withSignals ? await store.latestSignals(pending.map((r) => r.id)) : new Map();
    let chunk = '';
    for (const r of pending) {
      const line: JsonlLine = history.has(r.id) ? { ...r, signals: await store.signalHistory(r.id) } : r;
      chunk += `${JSON.stringify(line)}\n`;
    }
    pending = [];
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    for await (const record of store.iterate(options.filter ?? {})) {
      pending.push(record);
      lines++;
      if (pending.length >= 500) await flush();
    }
    await flush();
  } finally {
    if (typeof target === 'string') {
      out.end();
      await once(out, 'finish');
    }
  }
  return lines;
}

export interface ImportOptions {
  /** Records per appended batch (default 1,000). */
  batchSize?: number;
  /** Skip records whose id the store already holds (re-running an import). Default false. */
  skipExisting?: boolean;
  /** `throw` (default): stop at the first bad line (earlier batches stay committed); `skip`: collect it. */
  onInvalid?: 'throw' | 'skip';
}

export interface ImportReport {
  imported: number;
  skippedExisting: number;
  invalid: { line: number; error: string }[];
}

/**
 * Reads a JSONL file into the store. A bad line is reported with its line number and field; with
 * `onInvalid: 'throw'` nothing after it is imported and everything before it is.
 */
export async function importJsonl(
  store: ExperienceStore,
  path: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 1000;
  const report: ImportReport = { imported: 0, skippedExisting: 0, invalid: [] };
  let batch: Experience[] = [];
  let signals: SignalUpdate[] = [];
  const flush = async () => {
    if (options.skipExisting && batch.length) {
      const stored = await store.query({ ids: batch.map((r) => r.id) });
      const have = new Set(stored.map((r) => r.id));
      report.skippedExisting += batch.filter((r) => have.has(r.id)).length;
      signals = signals.filter((s) => !have.has(s.id));
      batch = batch.filter((r) => !have.has(r.id));
    }
    if (batch.length) await store.append(batch);
    if (signals.length) await store.writeSignals(signals);
    report.imported += batch.length;
    batch = [];
    signals = [];
  };
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    let record: Experience;
    let history: unknown;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UesError(`${path}:${lineNo}: not valid JSON (${(error as Error).message})`);
      }
      if (typeof parsed === 'object' && parsed !== null && 'signals' in parsed) {
        const { signals: s, ...rest } = parsed as Record<string, unknown>;
        history = s;
        parsed = rest;
      }
      record = migrateExperience(parsed, { context: `${path}:${lineNo}` });
    } catch (error) {
      if (
        options.onInvalid === 'skip' &&
        (SchemaValidationError.isInstance(error) || UesError.isInstance(error))
      ) {
        report.invalid.push({ line: lineNo, error: (error as Error).message });
        continue;
      }
      throw error;
    }
    batch.push(record);
    if (Array.isArray(history)) {
      for (const v of history as SignalVersion[]) {
        signals.push({
          id: record.id,
          ...(v.tdError === null ? {} : { tdError: v.tdError }),
          ...(v.learningProgress === null ? {} : { learningProgress: v.learningProgress }),
          ...(v.priority === null ? {} : { priority: v.priority }),
          ...(v.source === null ? {} : { source: v.source }),
          writtenAt: v.writtenAt,
        });
      }
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return report;
}
