/**
 * Test doubles for the Selves side of the cycle, persisted to disk so that a "crashed" run can be
 * resumed by fresh objects exactly like a restarted process would: a SelvesHost keeping adapter
 * versions as JSON files, and a controller that maps task tags to Selves.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoraWeights, NanoPolicyModel } from '@chimera/runtime-cuda';
import type { SelfChoice } from '../episode-runner';
import type { Controller, SelvesHost } from '../selves-host';

interface VersionFile {
  current: Record<string, string>;
  versions: Record<string, { version: string; objectiveId?: string; tensors: Record<string, number[]> }[]>;
}

export class FileSelves implements SelvesHost {
  private readonly live = new Map<string, LoraWeights>();
  private readonly file: string;
  private data: VersionFile;

  constructor(
    dir: string,
    private readonly model: NanoPolicyModel,
    private readonly names: string[],
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'versions.json');
    if (existsSync(this.file)) {
      this.data = JSON.parse(readFileSync(this.file, 'utf8')) as VersionFile;
    } else {
      this.data = { current: {}, versions: {} };
      for (const name of names) {
        const lora = model.createLora();
        this.data.versions[name] = [{ version: 'v1', tensors: this.serialize(lora) }];
        this.data.current[name] = 'v1';
      }
      this.flush();
    }
    for (const name of names) this.live.set(name, this.load(name, this.data.current[name]!));
  }

  private serialize(lora: LoraWeights): Record<string, number[]> {
    return Object.fromEntries(lora.names().map((n) => [n, Array.from(lora.get(n))]));
  }

  private load(name: string, version: string): LoraWeights {
    const entry = this.data.versions[name]!.find((v) => v.version === version)!;
    return this.model.loraFrom(
      Object.fromEntries(Object.entries(entry.tensors).map(([k, v]) => [k, Float32Array.from(v)])),
    );
  }

  private flush(): void {
    writeFileSync(this.file, JSON.stringify(this.data));
  }

  actingSelves(): string[] {
    return this.names;
  }
  weights(self: string): LoraWeights {
    return this.live.get(self)!;
  }
  version(self: string): string {
    return this.data.current[self]!;
  }
  async commit(self: string, weights: LoraWeights, info: { objectiveId: string }): Promise<string> {
    const list = this.data.versions[self]!;
    let entry = list.find((v) => v.objectiveId === info.objectiveId);
    if (!entry) {
      entry = {
        version: `v${list.length + 1}`,
        objectiveId: info.objectiveId,
        tensors: this.serialize(weights),
      };
      list.push(entry);
    }
    this.data.current[self] = entry.version;
    this.flush();
    return entry.version;
  }
  async revert(self: string, version: string): Promise<void> {
    this.data.current[self] = version;
    this.flush();
    const fresh = this.load(self, version);
    const live = this.live.get(self)!;
    for (const [i, p] of live.parameters().entries()) p.set(fresh.parameters()[i]!);
  }
  /** Everything persisted, for comparing two runs. */
  snapshot(): VersionFile {
    return JSON.parse(readFileSync(this.file, 'utf8')) as VersionFile;
  }
}

export class TagController implements Controller {
  constructor(
    private readonly selves: SelvesHost,
    private readonly map: Record<string, string>,
  ) {}
  async select(request: { task: { tags: string[] } }): Promise<SelfChoice> {
    const self = this.map[request.task.tags[0] ?? ''] ?? Object.values(this.map)[0]!;
    return { self, version: this.selves.version(self), reason: `tag ${request.task.tags[0]}` };
  }
  async observeEpisode(): Promise<void> {}
  saveState(): unknown {
    return {};
  }
  loadState(): void {}
  setMode(): void {}
}
