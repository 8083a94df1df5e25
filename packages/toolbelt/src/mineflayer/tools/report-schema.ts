/** The zod shape of an ActionReport: the output of every action tool. */
import { z } from 'zod';

const counts = z.record(z.string(), z.number());

export const actionReportSchema = z.object({
  action: z.string(),
  summary: z.string(),
  gained: counts,
  lost: counts,
  blocksChanged: z.array(
    z.object({ x: z.number(), y: z.number(), z: z.number(), from: z.string(), to: z.string() }),
  ),
  position: z.tuple([z.number(), z.number(), z.number()]),
  durationMs: z.number(),
});

export const TAGS = ['minecraft'] as const;
