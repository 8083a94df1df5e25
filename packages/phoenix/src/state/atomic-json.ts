/**
 * Crash-safe JSON files: write to a temporary file, fsync, rename over the target. A reader sees
 * either the old state or the new one, never half of either.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { PhoenixError } from '../errors';

export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new PhoenixError(
      `state file ${path} is not valid JSON (${(error as Error).message}); it was written atomically, so this is outside damage: restore it from a backup or move the output directory aside to start over`,
      { cause: error },
    );
  }
}
