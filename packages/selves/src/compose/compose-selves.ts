/**
 * Composition at the library level: read the source Selves' versions, combine them
 * (compose-adapters.ts) and register the result as a new Self whose lineage records its parents,
 * the method and the weights (blueprint 5.1: e.g. Web_Researcher + Summarizer -> a synthesis Self).
 */
import type { SelfLibrary, VersionRecord } from '../library/self-library';
import type { SelfMetadataInput } from '../library/self-metadata';
import { type ComposeOptions, composeAdapters } from './compose-adapters';

export interface ComposeSelvesRequest extends Omit<ComposeOptions, 'weights'> {
  /** Name of the new Self. */
  name: string;
  /** Sources with their weights (version: default current). */
  sources: readonly { self: string; version?: string; weight: number }[];
  /** Metadata of the new Self; defaults: the union of the sources' skills and domains, not acting. */
  metadata?: Partial<SelfMetadataInput>;
}

export async function composeSelves(
  library: SelfLibrary,
  request: ComposeSelvesRequest,
): Promise<VersionRecord> {
  const { name, sources, metadata, ...options } = request;
  const parents = sources.map((s) => ({ self: s.self, version: s.version ?? library.current(s.self) }));
  const adapters = await Promise.all(parents.map((p) => library.loadAdapter(p.self, p.version)));
  const merged = composeAdapters(adapters, { ...options, weights: sources.map((s) => s.weight) });
  const sourceMetadata = parents.map((p) => library.metadata(p.self));
  const union = (pick: (m: (typeof sourceMetadata)[number]) => string[]) => [
    ...new Set(sourceMetadata.flatMap(pick)),
  ];
  return library.register(
    {
      function: `Composition (${options.method}) of ${parents.map((p) => p.self).join(' + ')}`,
      domains: union((m) => m.domains),
      coreTasks: union((m) => m.coreTasks),
      activationTriggers: [],
      skills: union((m) => m.skills),
      environments: union((m) => m.environments),
      acting: false,
      ...metadata,
      name,
      lineage: { parents, method: `compose:${options.method}`, weights: sources.map((s) => s.weight) },
    },
    merged,
    `composed by ${options.method} from ${parents.map((p) => `${p.self}@${p.version} x ${sources.find((s) => s.self === p.self)!.weight}`).join(', ')}`,
  );
}
