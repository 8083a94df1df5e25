/**
 * What the library records about a Self besides its weights: the blueprint's roster columns
 * (function, domains, core tasks, activation triggers), the skills the Meta-Cognitive Controller
 * matches against task tags, whether it acts in environments, and where it came from (lineage).
 */
import { z } from 'zod';

export const SELF_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const LineageSchema = z.object({
  /** The adapters it was made from (a composition, a fork, an import). */
  parents: z.array(z.object({ self: z.string(), version: z.string() })).default([]),
  /** How: `roster`, `import`, `compose:svd`, `compose:cat`, ... */
  method: z.string(),
  weights: z.array(z.number()).optional(),
  note: z.string().optional(),
});

export const SelfMetadataSchema = z.object({
  name: z.string().regex(SELF_NAME, 'a Self name is a letter then up to 63 letters, digits, _ . -'),
  function: z.string().min(1),
  domains: z.array(z.string()).default([]),
  coreTasks: z.array(z.string()).default([]),
  activationTriggers: z.array(z.string()).default([]),
  /** Skill words matched against task tags, families and environments (the MCC's prior). */
  skills: z.array(z.string()).default([]),
  /** Environments it acts in (`web`, `minecraft`); empty = any. */
  environments: z.array(z.string()).default([]),
  /** Acting Selves drive the policy in environments; internal ones (MCC, Reflector) do not. */
  acting: z.boolean().default(true),
  lineage: LineageSchema.default({ parents: [], method: 'roster' }),
});

export type SelfMetadata = z.infer<typeof SelfMetadataSchema>;
export type SelfMetadataInput = z.input<typeof SelfMetadataSchema>;
export type Lineage = z.infer<typeof LineageSchema>;

/** Text the MCC's own adapter reads for a Self: name, function and skills. */
export function selfDescription(metadata: SelfMetadata): string {
  const skills = metadata.skills.length ? `; skills: ${metadata.skills.join(', ')}` : '';
  return `${metadata.name.replace(/_/g, ' ')}: ${metadata.function}${skills}`;
}
