/**
 * `selves`: the adapter library of a run's output directory.
 *   selves list                          every Self, its current version, skills and history length
 *   selves inspect <name>                metadata, versions (checksums, sizes, reasons), history
 *   selves compose <new> <a> <b> [...]   a new Self from others (--method svd|cat|linear|ties|dare_linear|dare_ties|magnitude_prune)
 */
import { join, resolve } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { COMPOSITION_METHODS, type CompositionMethod, createNanoSelves } from '@chimera/selves';
import type { CliOptions } from '../cli';

export async function selvesCommand(options: CliOptions): Promise<number> {
  const [action = 'list', ...rest] = options.positionals;
  const model = await NanoPolicyModel.create();
  try {
    const selves = await createNanoSelves({
      dir: join(resolve(options.out), 'selves'),
      model,
      seed: options.seed,
    });
    const library = selves.library;
    const print = (line: string) => process.stdout.write(`${line}\n`);
    if (action === 'list') {
      for (const record of library.list()) {
        const m = record.metadata;
        print(
          `${m.name.padEnd(26)} ${record.current.padEnd(5)} ${String(record.versions.length).padStart(3)} version(s)  ${m.function}`,
        );
      }
      return 0;
    }
    if (action === 'inspect') {
      const name = rest[0];
      if (!name || !library.has(name)) {
        process.stderr.write(`selves inspect: name one of ${library.names().join(', ')}\n`);
        return 2;
      }
      const record = library.get(name);
      print(
        JSON.stringify(
          { metadata: record.metadata, current: record.current, versions: record.versions },
          null,
          2,
        ),
      );
      for (const event of record.history) print(`${event.at}  ${JSON.stringify(event)}`);
      return 0;
    }
    if (action === 'compose') {
      const [name, ...sources] = rest;
      const method = options.method as CompositionMethod;
      if (!name || sources.length < 2) {
        process.stderr.write('selves compose: give the new name and at least two source Selves\n');
        return 2;
      }
      if (!COMPOSITION_METHODS.includes(method)) {
        process.stderr.write(`selves compose: --method must be one of ${COMPOSITION_METHODS.join(', ')}\n`);
        return 2;
      }
      const unknown = sources.filter((s) => !library.has(s));
      if (unknown.length > 0) {
        process.stderr.write(
          `selves compose: unknown Self ${unknown.join(', ')}; have ${library.names().join(', ')}\n`,
        );
        return 2;
      }
      const version = await selves.compose({
        name,
        method,
        sources: sources.map((self) => ({ self, weight: 1 / sources.length })),
      });
      print(
        `composed ${name} ${version.version} from ${sources.join(' + ')} (${method}), checksum ${version.checksum}`,
      );
      return 0;
    }
    process.stderr.write(`selves: unknown action "${action}" (list, inspect, compose)\n`);
    return 2;
  } catch (error) {
    process.stderr.write(`chimera-agent selves: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await model.release();
  }
}
