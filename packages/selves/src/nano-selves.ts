/**
 * The System of Selves on chimera-nano: the roster as PEFT adapters in a library on disk, their
 * live copies resident in RAM (the acting Selves' pinned), hot-swapped per decision, and the
 * Meta-Cognitive Controller choosing among them (plus a second controller for a partner agent).
 *
 * It satisfies `@chimera/phoenix`'s `SelvesHost` structurally (this package does not import
 * phoenix): `weights(self)` is called for every decision and returns the live `LoraWeights` the
 * policy scores with (training mutates it in place); `commit` persists it as a new version,
 * idempotently per objective; `revert` makes an older version current and reloads it.
 */
import type { LoraWeights, NanoPolicyModel } from '@chimera/runtime-cuda';
import type { ExperienceStore } from '@chimera/ues';
import { type ComposeSelvesRequest, composeSelves } from './compose/compose-selves';
import { SelfNotFoundError } from './errors/self-not-found-error';
import { SelvesError } from './errors/selves-error';
import { loraBytes, nanoBaseModelId, nanoExpectation, nanoToPeft, peftToNano } from './format/nano-peft';
import { DEFAULT_ROSTER, META_COGNITIVE_CONTROLLER } from './library/roster';
import { SelfLibrary, type VersionRecord } from './library/self-library';
import { type SelfMetadataInput, selfDescription } from './library/self-metadata';
import {
  MetaCognitiveController,
  type MetaCognitiveControllerOptions,
} from './mcc/meta-cognitive-controller';
import type { SelfProfile } from './mcc/skill-prior';
import type { TaskPlanner } from './mcc/task-planner';
import { AdapterCache, type AdapterCacheStats } from './residency/adapter-cache';
import { HostDevice } from './residency/adapter-device';
import { HotSwapper, type SwapRecord, type SwapStats } from './residency/hot-swap';

export interface NanoSelvesOptions {
  /** Library directory (created on first run, reopened afterwards). */
  dir: string;
  model: NanoPolicyModel;
  /** Experience store the controller assesses from. */
  store?: ExperienceStore;
  /** Seeds the roster's fresh adapters and the controllers. */
  seed: number;
  /** RAM budget for adapters (default 256 MiB). Acting Selves are pinned and always resident. */
  budgetBytes?: number;
  /** Selves created on first run (default: the blueprint roster). */
  roster?: readonly SelfMetadataInput[];
  /** Controller settings (switch margin, adapter weight, training cadence, prior). */
  controller?: Partial<
    Omit<MetaCognitiveControllerOptions, 'selves' | 'versionOf' | 'seed' | 'adapter' | 'store'>
  >;
  planner?: TaskPlanner;
  /** Time source for library records. */
  now?: () => Date;
}

/** FNV-1a of a string mixed with a seed: a per-Self seed for its fresh adapter. */
function seedFor(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class NanoSelves {
  /** Non-acting roster Selves (the controller, the reflector). */
  readonly internal: string[];
  private readonly swapper: HotSwapper<LoraWeights, LoraWeights>;
  private readonly cache: AdapterCache<LoraWeights>;
  private readonly acting: string[];

  private constructor(
    readonly library: SelfLibrary,
    readonly model: NanoPolicyModel,
    readonly controller: MetaCognitiveController,
    readonly partner: MetaCognitiveController,
    cache: AdapterCache<LoraWeights>,
    acting: string[],
    internal: string[],
  ) {
    this.cache = cache;
    this.acting = acting;
    this.internal = internal;
    this.swapper = new HotSwapper({
      cache,
      device: new HostDevice<LoraWeights>(),
      load: (self) => this.loadLive(self),
      pinOnLoad: (self) => this.acting.includes(self),
    });
  }

  /** Opens (or creates) the library in `options.dir` and loads every acting Self into RAM. */
  static async open(options: NanoSelvesOptions): Promise<NanoSelves> {
    const { model } = options;
    const baseModel = nanoBaseModelId(model);
    const { baseModel: _, ...expectation } = nanoExpectation(model);
    const library = await SelfLibrary.open(options.dir, {
      baseModel,
      expectation,
      ...(options.now ? { now: options.now } : {}),
    });
    for (const metadata of options.roster ?? DEFAULT_ROSTER) {
      if (library.has(metadata.name)) continue;
      const fresh = model.createLora(seedFor(options.seed, metadata.name));
      await library.register(
        metadata,
        nanoToPeft(fresh, baseModel),
        'created with the roster (fresh adapter, B = 0)',
      );
    }
    const records = library.list();
    const acting = records.filter((r) => r.metadata.acting).map((r) => r.metadata.name);
    const internal = records.filter((r) => !r.metadata.acting).map((r) => r.metadata.name);
    if (acting.length === 0) throw new SelvesError(`the library in ${options.dir} has no acting Self`);
    const cache = new AdapterCache<LoraWeights>(options.budgetBytes ?? 256 * 1024 ** 2, loraBytes);
    const profiles: SelfProfile[] = records
      .filter((r) => r.metadata.acting)
      .map((r) => ({
        name: r.metadata.name,
        description: selfDescription(r.metadata),
        skills: r.metadata.skills,
        environments: r.metadata.environments,
      }));
    const controllerWeights = library.has(META_COGNITIVE_CONTROLLER)
      ? peftToNano(await library.loadAdapter(META_COGNITIVE_CONTROLLER), model)
      : undefined;
    const makeController = (seed: number) =>
      new MetaCognitiveController({
        ...options.controller,
        selves: profiles,
        versionOf: (self) => library.current(self),
        seed,
        ...(controllerWeights ? { adapter: { model, weights: controllerWeights } } : {}),
        ...(options.store ? { store: options.store } : {}),
        ...(options.planner ? { planner: options.planner } : {}),
      });
    const selves = new NanoSelves(
      library,
      model,
      makeController(options.seed >>> 0),
      makeController((options.seed ^ 0x9e3779b9) >>> 0),
      cache,
      acting,
      internal,
    );
    for (const self of acting) cache.set(self, await selves.loadLive(self), { pinned: true });
    return selves;
  }

  /** Selves that act in environments (the controller's candidates). */
  actingSelves(): string[] {
    return [...this.acting];
  }

  /**
   * The live adapter of `self`, made active (a counted, timed hot swap when another Self was
   * active). Synchronous: the Self must be in RAM (acting Selves always are; others after `activate`).
   */
  weights(self: string): LoraWeights {
    if (self === this.swapper.activeKey) return this.swapper.activeHandle!;
    if (!this.library.has(self))
      throw new SelfNotFoundError(
        self,
        `no Self named "${self}" (known: ${this.library.names().join(', ')})`,
      );
    this.swapper.activateResident(self);
    return this.swapper.activeHandle!;
  }

  /** Makes `name` the active Self, reading it from disk when it is not in RAM. */
  async activate(name: string): Promise<SwapRecord | null> {
    if (!this.library.has(name))
      throw new SelfNotFoundError(
        name,
        `no Self named "${name}" (known: ${this.library.names().join(', ')})`,
      );
    return this.swapper.activate(name);
  }

  /** The active Self, or null before the first swap. */
  active(): string | null {
    return this.swapper.activeKey;
  }

  version(self: string): string {
    return this.library.current(self);
  }

  /**
   * Persists `weights` as a new version of `self` and makes it current (the live copy takes its
   * values). Idempotent per objective: if a version was already committed for `objectiveId`, that
   * version becomes current, is reloaded into the live copy and is returned.
   */
  async commit(
    self: string,
    weights: LoraWeights,
    info: { objectiveId: string; reason: string },
  ): Promise<string> {
    const existing = this.library.versionForObjective(self, info.objectiveId);
    if (existing) {
      await this.library.setCurrent(self, existing.version, `resumed ${info.objectiveId}: ${info.reason}`);
      await this.reload(self);
      return existing.version;
    }
    const record = await this.library.saveVersion(self, nanoToPeft(weights, this.library.baseModel), info);
    const live = this.cache.peek(self);
    if (live && live !== weights) this.replaceLive(self, live, weights);
    return record.version;
  }

  /** Makes `version` current again and reloads its weights into the live copy. */
  async revert(self: string, version: string, reason: string): Promise<void> {
    await this.library.setCurrent(self, version, reason);
    await this.reload(self);
  }

  /**
   * Combines Selves into a new one (see `composeAdapters` for the methods) and registers it; it is
   * then activated with `activate(name)` and read with `weights(name)`. Not a controller candidate
   * unless registered with `acting: true` and the library reopened.
   */
  async compose(request: ComposeSelvesRequest): Promise<VersionRecord> {
    return composeSelves(this.library, request);
  }

  /** Saves the controller's trained adapter as a new version of the Meta_Cognitive_Controller Self. */
  async commitController(reason: string): Promise<VersionRecord> {
    const weights = this.controller.adapterWeights;
    if (!weights || !this.library.has(META_COGNITIVE_CONTROLLER)) {
      throw new SelvesError(`there is no ${META_COGNITIVE_CONTROLLER} Self with an adapter to commit`);
    }
    return this.library.saveVersion(META_COGNITIVE_CONTROLLER, nanoToPeft(weights, this.library.baseModel), {
      reason,
    });
  }

  /** Hot-swap count and latency (from RAM and from disk). */
  swapStats(): SwapStats {
    return this.swapper.stats();
  }

  cacheStats(): AdapterCacheStats {
    return this.cache.stats();
  }

  /** Reads the current version of `self` from disk as a chimera-nano adapter (validated). */
  private async loadLive(self: string): Promise<LoraWeights> {
    return peftToNano(await this.library.loadAdapter(self), this.model);
  }

  /** Reloads the current version into the live copy (in place when the shapes allow). */
  private async reload(self: string): Promise<void> {
    const fresh = await this.loadLive(self);
    const live = this.cache.peek(self);
    if (live) this.replaceLive(self, live, fresh);
  }

  private replaceLive(self: string, live: LoraWeights, values: LoraWeights): void {
    const sameShapes =
      live.names().length === values.names().length &&
      live.names().every((n) => {
        const a = live.shapeOf(n);
        const b = values.names().includes(n) ? values.shapeOf(n) : [];
        return a.length === b.length && a.every((v, i) => v === b[i]);
      });
    if (sameShapes) {
      live.copyFrom(values);
      return;
    }
    // A version of another rank (e.g. a concatenated composition): the live object is replaced.
    const copy = values.clone();
    this.cache.set(self, copy, { pinned: this.acting.includes(self) });
    if (this.swapper.activeKey === self) this.swapper.rebind(self, copy);
  }
}

/** Opens (or creates) the System of Selves for chimera-nano in `options.dir`. */
export function createNanoSelves(options: NanoSelvesOptions): Promise<NanoSelves> {
  return NanoSelves.open(options);
}
