/** The output schema every browser action shares (the next observation shows the page). */
import { z } from 'zod';

export const actionResult = z.object({
  url: z.string(),
  tab: z.number().int(),
  navigated: z.boolean(),
  openedTab: z.number().int().optional(),
  blocked: z.array(z.string()).optional(),
});

export const elementId = z
  .string()
  .regex(/^[A-Za-z]+\d+$/, 'an element id from the observation, such as "e12"')
  .describe('Element id from the latest observation, e.g. "e12".');

export const WEB_TAGS = ['web', 'playwright'] as const;
