import { z } from 'zod';
import { ExperienceSchema } from './experience-schema';

/**
 * The experience schema as JSON Schema (draft 2020-12), for tools outside TypeScript. Rules that
 * JSON Schema cannot state (outcome only on the ending record, chosenIndex in range, values that
 * must round-trip through JSON) are enforced by the store, not by this document.
 */
export const experienceJsonSchema: Record<string, unknown> = z.toJSONSchema(ExperienceSchema, {
  target: 'draft-2020-12',
}) as Record<string, unknown>;
