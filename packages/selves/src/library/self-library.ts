/**
 * The Self library on disk: one PEFT adapter directory per Self version
 * (`<dir>/selves/<name>/<version>/`), and `<dir>/index.json` (written atomically: temporary file,
 * then rename) with each Self's metadata, versions (checksum, reason, objective, parents) and
 * history (register, commit, revert). Versions are immutable; "current" is a pointer, so a
 * rollback is one index write. Reads are strict (see peft-directory.ts) and also check the
 * checksum against the index, so a swapped or damaged file never loads as the version it claims.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdapterFormatError } from '../errors/adapter-format-error';
import { SelfNotFoundError } from '../errors/self-not-found-error';
import { SelvesError } from '../errors/selves-error';
import type { PeftAdapter } from '../format/peft-adapter';
import { type AdapterExpectation, readPeftAdapter, writePeftAdapter } from '../format/peft-directory';
import { type SelfMetadata, type SelfMetadataInput, SelfMetadataSchema } from './self-metadata';

export interface VersionRecord {
  version: string;
  createdAt: string;
  /** Tensor checksum (also in the file's metadata). */
  checksum: string;
  /** Size of adapter_model.safetensors. */
  bytes: number;
  reason: string;
  /** The learning objective that produced it (commits are idempotent per objective). */
  objectiveId?: string;
  parents?: { self: string; version: string }[];
}

export interface HistoryEvent {
  at: string;
  action: 'register' | 'commit' | 'revert';
  version: string;
  reason: string;
}

export interface SelfRecord {
  metadata: SelfMetadata;
  current: string;
  versions: VersionRecord[];
  history: HistoryEvent[];
}

interface LibraryIndex {
  format: 'chimera-selves/1';
  baseModel: string;
  selves: Record<string, SelfRecord>;
}

export interface SelfLibraryOptions {
  /** `base_model_name_or_path` every adapter of this library must carry. */
  baseModel: string;
  /** Extra requirements checked on every load (the runtime's modules and shapes). */
  expectation?: Omit<AdapterExpectation, 'baseModel'>;
  /** Time source for records (tests pin it). */
  now?: () => Date;
}

export class SelfLibrary {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly index: LibraryIndex,
    private readonly options: SelfLibraryOptions,
  ) {}

  /** Opens the library in `dir`, creating an empty one when there is none. */
  static async open(dir: string, options: SelfLibraryOptions): Promise<SelfLibrary> {
    const path = join(dir, 'index.json');
    let index: LibraryIndex;
    if (existsSync(path)) {
      try {
        index = JSON.parse(readFileSync(path, 'utf8')) as LibraryIndex;
      } catch (cause) {
        throw new SelvesError(
          `${path} is not valid JSON (${(cause as Error).message}); restore it from a backup or move the directory away to start a new library`,
          { cause },
        );
      }
      if (index.format !== 'chimera-selves/1' || typeof index.selves !== 'object') {
        throw new SelvesError(
          `${path} is not a chimera Self library index (format ${JSON.stringify(index.format)})`,
        );
      }
      if (index.baseModel !== options.baseModel) {
        throw new AdapterFormatError(
          'wrong-base-model',
          `the library in ${dir} holds adapters for base model "${index.baseModel}", this runtime runs "${options.baseModel}"; open another directory`,
          dir,
        );
      }
    } else {
      index = { format: 'chimera-selves/1', baseModel: options.baseModel, selves: {} };
      await mkdir(dir, { recursive: true });
    }
    const library = new SelfLibrary(dir, index, options);
    if (!existsSync(path)) await library.persist();
    return library;
  }

  get baseModel(): string {
    return this.index.baseModel;
  }

  /** Every Self, in registration order. */
  list(): SelfRecord[] {
    return Object.values(this.index.selves).map((r) => structuredClone(r));
  }

  names(): string[] {
    return Object.keys(this.index.selves);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.index.selves, name);
  }

  get(name: string): SelfRecord {
    return structuredClone(this.record(name));
  }

  metadata(name: string): SelfMetadata {
    return structuredClone(this.record(name).metadata);
  }

  current(name: string): string {
    return this.record(name).current;
  }

  versions(name: string): VersionRecord[] {
    return structuredClone(this.record(name).versions);
  }

  history(name: string): HistoryEvent[] {
    return structuredClone(this.record(name).history);
  }

  /** The version committed for `objectiveId`, if any. */
  versionForObjective(name: string, objectiveId: string): VersionRecord | undefined {
    return structuredClone(this.record(name).versions.find((v) => v.objectiveId === objectiveId));
  }

  adapterDir(name: string, version: string): string {
    return join(this.dir, 'selves', name, version);
  }

  /** Adds a new Self with its first version (`v1`). */
  async register(
    input: SelfMetadataInput,
    adapter: PeftAdapter,
    reason = 'registered',
  ): Promise<VersionRecord> {
    const parsed = SelfMetadataSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new SelvesError(`invalid Self metadata: ${issues}`);
    }
    const metadata = parsed.data;
    if (this.has(metadata.name))
      throw new SelvesError(`a Self named "${metadata.name}" is already registered`);
    this.checkBase(adapter, metadata.name);
    const record = await this.writeVersion(metadata.name, 'v1', adapter, { reason });
    this.index.selves[metadata.name] = {
      metadata,
      current: 'v1',
      versions: [record],
      history: [{ at: record.createdAt, action: 'register', version: 'v1', reason }],
    };
    await this.persist();
    return structuredClone(record);
  }

  /** Writes a new version of `name` and (by default) makes it current. */
  async saveVersion(
    name: string,
    adapter: PeftAdapter,
    info: {
      reason: string;
      objectiveId?: string;
      parents?: { self: string; version: string }[];
      makeCurrent?: boolean;
    },
  ): Promise<VersionRecord> {
    const self = this.record(name);
    this.checkBase(adapter, name);
    const version = `v${self.versions.length + 1}`;
    const record = await this.writeVersion(name, version, adapter, info);
    self.versions.push(record);
    if (info.makeCurrent !== false) {
      self.current = version;
      self.history.push({ at: record.createdAt, action: 'commit', version, reason: info.reason });
    }
    await this.persist();
    return structuredClone(record);
  }

  /** Makes an existing version current (a rollback, or a roll forward again). */
  async setCurrent(name: string, version: string, reason: string): Promise<void> {
    const self = this.record(name);
    if (!self.versions.some((v) => v.version === version)) {
      throw new SelfNotFoundError(
        name,
        `Self "${name}" has no version "${version}" (it has ${self.versions.map((v) => v.version).join(', ')})`,
      );
    }
    if (self.current === version) return;
    self.current = version;
    self.history.push({ at: this.now(), action: 'revert', version, reason });
    await this.persist();
  }

  /** Goes back to the version that was current before the present one; returns it. */
  async rollback(name: string, reason: string): Promise<string> {
    const self = this.record(name);
    const previous = [...self.history]
      .reverse()
      .map((e) => e.version)
      .find((v) => v !== self.current);
    if (!previous) throw new SelvesError(`Self "${name}" has no earlier version to roll back to`);
    await this.setCurrent(name, previous, reason);
    return previous;
  }

  /** Updates metadata fields (not the name). */
  async updateMetadata(name: string, patch: Partial<Omit<SelfMetadataInput, 'name'>>): Promise<SelfMetadata> {
    const self = this.record(name);
    const parsed = SelfMetadataSchema.safeParse({ ...self.metadata, ...patch, name });
    if (!parsed.success) throw new SelvesError(`invalid Self metadata: ${parsed.error.message}`);
    self.metadata = parsed.data;
    await this.persist();
    return structuredClone(parsed.data);
  }

  /**
   * Reads a version (default: current), checked against the base model, the runtime's expectation
   * and the checksum the index recorded.
   */
  async loadAdapter(name: string, version?: string): Promise<PeftAdapter> {
    const self = this.record(name);
    const wanted = version ?? self.current;
    const record = self.versions.find((v) => v.version === wanted);
    if (!record) {
      throw new SelfNotFoundError(
        name,
        `Self "${name}" has no version "${wanted}" (it has ${self.versions.map((v) => v.version).join(', ')})`,
      );
    }
    const dir = this.adapterDir(name, wanted);
    const { adapter, info } = await readPeftAdapter(dir, {
      ...this.options.expectation,
      baseModel: this.baseModel,
    });
    if (info.checksum !== record.checksum) {
      throw new AdapterFormatError(
        'checksum-mismatch',
        `${dir} holds tensors with checksum ${info.checksum ?? 'none'}, but the library recorded ${record.checksum} for ${name}@${wanted}`,
        dir,
      );
    }
    return adapter;
  }

  private record(name: string): SelfRecord {
    const self = this.index.selves[name];
    if (!self || !Object.hasOwn(this.index.selves, name)) {
      throw new SelfNotFoundError(
        name,
        `no Self named "${name}" (the library has ${this.names().join(', ') || 'none'})`,
      );
    }
    return self;
  }

  private checkBase(adapter: PeftAdapter, name: string): void {
    const base = adapter.config.base_model_name_or_path;
    if (base !== this.baseModel) {
      throw new AdapterFormatError(
        'wrong-base-model',
        `adapter for "${name}" was made for base model "${base}", this library holds "${this.baseModel}"`,
      );
    }
  }

  private async writeVersion(
    name: string,
    version: string,
    adapter: PeftAdapter,
    info: { reason: string; objectiveId?: string; parents?: { self: string; version: string }[] },
  ): Promise<VersionRecord> {
    const dir = this.adapterDir(name, version);
    await mkdir(join(this.dir, 'selves', name), { recursive: true });
    const { checksum, bytes } = await writePeftAdapter(dir, adapter, {
      version,
      metadata: { 'chimera.self': name },
    });
    return {
      version,
      createdAt: this.now(),
      checksum,
      bytes: bytes.byteLength,
      reason: info.reason,
      ...(info.objectiveId !== undefined ? { objectiveId: info.objectiveId } : {}),
      ...(info.parents?.length ? { parents: info.parents } : {}),
    };
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }

  /** Writes index.json atomically; writes are serialized so a later one never lands first. */
  private persist(): Promise<void> {
    const json = `${JSON.stringify(this.index, null, 2)}\n`;
    const path = join(this.dir, 'index.json');
    const next = this.writing.then(async () => {
      const temporary = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(temporary, json);
        await rename(temporary, path);
      } catch (cause) {
        await rm(temporary, { force: true });
        throw new SelvesError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
      }
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
