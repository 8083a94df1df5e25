/**
 * Turning caller input into a stored record: fill defaults, then accept through the fast check or
 * let zod name what is wrong. Every write path of every store goes through `prepareExperience`.
 */
import type { z } from 'zod';
import { type SchemaIssue, SchemaValidationError } from '../errors/schema-validation-error';
import { uuidv7 } from '../ids';
import { CURRENT_SCHEMA_VERSION, type Experience, ExperienceSchema } from './experience-schema';
import { fastAcceptsExperience } from './fast-check';

export type ValidationMode = 'fast' | 'zod';

export const DEFAULT_AGENT_ID = 'agent-0';

function toIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Fills the defaults of ExperienceInput (id, schemaVersion, agentId, terminal, truncated, tags,
 * timestamps) without touching the caller's objects. Non-object input passes through unchanged
 * so that validation reports it.
 */
export function completeExperience(input: unknown, now: string): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const r = input as Record<string, unknown>;
  const out: Record<string, unknown> = { ...r };
  if (out.schemaVersion === undefined) out.schemaVersion = CURRENT_SCHEMA_VERSION;
  if (out.id === undefined) out.id = uuidv7();
  if (out.agentId === undefined) out.agentId = DEFAULT_AGENT_ID;
  if (out.terminal === undefined) out.terminal = false;
  if (out.truncated === undefined) out.truncated = false;
  const meta = r.metadata;
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) {
    const m = meta as Record<string, unknown>;
    if (m.tags === undefined || m.timestamps === undefined) {
      out.metadata = {
        ...m,
        tags: m.tags ?? [],
        timestamps: m.timestamps ?? { startedAt: now },
      };
    }
  }
  return out;
}

/** Accepts a complete record or throws SchemaValidationError naming the field. */
export function validateExperience(
  record: unknown,
  options: { index?: number; context?: string; mode?: ValidationMode } = {},
): Experience {
  if (options.mode !== 'zod' && fastAcceptsExperience(record)) return record as Experience;
  const parsed = ExperienceSchema.safeParse(record);
  if (!parsed.success) {
    throw new SchemaValidationError(toIssues(parsed.error), {
      index: options.index,
      context: options.context,
    });
  }
  // Keep the caller's object (zod's copy is equal); this keeps both paths returning the same thing.
  return record as Experience;
}

/** Defaults plus validation for one input record of a batch. */
export function prepareExperience(
  input: unknown,
  index: number,
  now: string,
  mode: ValidationMode = 'fast',
): Experience {
  return validateExperience(completeExperience(input, now), { index, mode });
}
