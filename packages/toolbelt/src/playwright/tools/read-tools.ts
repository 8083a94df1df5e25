/** Tools that read: observe, extract text, extract a table, screenshot, and the final answer. */
import { z } from 'zod';
import { type AnyTool, defineTool, EnvironmentError } from '../../index';
import type { BrowserSession } from '../browser-session';
import { takeScreenshot } from '../screenshot';
import { elementId, WEB_TAGS } from './action-result';

const TABLES_SCRIPT = `(() => Array.from(document.querySelectorAll('table')).filter((t) => t.checkVisibility ? t.checkVisibility() : true).map((t) => ({
  caption: ((t.caption && t.caption.innerText) || t.getAttribute('aria-label') || '').replace(/\\s+/g, ' ').trim(),
  rows: Array.from(t.rows).slice(0, 500).map((r) => Array.from(r.cells).map((c) => c.innerText.replace(/\\s+/g, ' ').trim())),
})))()`;

export interface ReadToolOptions {
  /** Largest screenshot returned, in bytes of JPEG (default 200,000). */
  maxScreenshotBytes?: number;
}

export function readTools(session: BrowserSession, options: ReadToolOptions = {}): AnyTool[] {
  return [
    defineTool({
      name: 'observe',
      description: 'Describe the active page: controls with ids, headings, key text, tables, URL and tabs.',
      environmentTags: [...WEB_TAGS, 'perception'],
      annotations: { readOnlyHint: true },
      input: z.object({}),
      output: z.object({ text: z.string() }),
      timeoutMs: 30_000,
      handler: async () => ({ text: (await session.observe()).rendered }),
    }),
    defineTool({
      name: 'extract_text',
      description:
        'Read text from the page: the whole page, one element (by id), or only the passages that contain some words.',
      environmentTags: [...WEB_TAGS, 'perception'],
      annotations: { readOnlyHint: true },
      input: z.object({
        id: elementId.optional(),
        contains: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('Keep only lines containing this (case-insensitive).'),
        maxChars: z.number().int().min(100).max(20_000).optional().describe('Default 4,000.'),
      }),
      output: z.object({ text: z.string(), truncated: z.boolean() }),
      timeoutMs: 30_000,
      handler: async ({ id, contains, maxChars }) => {
        const limit = maxChars ?? 4_000;
        let text: string;
        if (id !== undefined) {
          const target = await session.element(id);
          text = await target.innerText({ timeout: session.actionTimeoutMs });
        } else {
          text = await session.page.locator('body').innerText({ timeout: session.actionTimeoutMs });
        }
        let lines = text
          .split('\n')
          .map((l) => l.replace(/\s+/g, ' ').trim())
          .filter(Boolean);
        if (contains !== undefined) {
          const needle = contains.toLowerCase();
          lines = lines.filter((l) => l.toLowerCase().includes(needle));
        }
        const joined = lines.join('\n');
        return { text: joined.slice(0, limit), truncated: joined.length > limit };
      },
    }),
    defineTool({
      name: 'extract_table',
      description:
        'Read a table of the active page in full: by its position (1 = first) or a word of its caption.',
      environmentTags: [...WEB_TAGS, 'perception'],
      annotations: { readOnlyHint: true },
      input: z.object({
        index: z.number().int().min(1).optional(),
        caption: z.string().min(1).max(200).optional(),
      }),
      output: z.object({
        caption: z.string(),
        rows: z.array(z.array(z.string())),
        tableCount: z.number().int(),
      }),
      timeoutMs: 30_000,
      handler: async ({ index, caption }) => {
        const tables = (await session.page.evaluate(TABLES_SCRIPT)) as {
          caption: string;
          rows: string[][];
        }[];
        if (tables.length === 0) throw new EnvironmentError('This page has no table.');
        let table = index !== undefined ? tables[index - 1] : tables[0];
        if (caption !== undefined) {
          table = tables.find((t) => t.caption.toLowerCase().includes(caption.toLowerCase()));
        }
        if (!table) {
          throw new EnvironmentError(
            `No such table; the page has ${tables.length}: ${tables.map((t, i) => `${i + 1} "${t.caption}"`).join(', ')}.`,
          );
        }
        return { ...table, tableCount: tables.length };
      },
    }),
    defineTool({
      name: 'screenshot',
      description: 'A JPEG screenshot of the visible part of the active tab (size-capped), base64-encoded.',
      environmentTags: [...WEB_TAGS, 'perception'],
      annotations: { readOnlyHint: true },
      input: z.object({ fullPage: z.boolean().optional() }),
      output: z.object({
        mime: z.literal('image/jpeg'),
        base64: z.string(),
        bytes: z.number().int(),
        quality: z.number(),
      }),
      timeoutMs: 30_000,
      costEstimate: 1000,
      handler: async ({ fullPage }) => {
        const shot = await takeScreenshot(session.page, { fullPage, maxBytes: options.maxScreenshotBytes });
        return {
          mime: 'image/jpeg' as const,
          base64: Buffer.from(shot.bytes).toString('base64'),
          bytes: shot.bytes.byteLength,
          quality: shot.quality,
        };
      },
    }),
    defineTool({
      name: 'answer',
      description:
        "Give the final answer to the task (a value read from the page, or 'done'). Ends the task.",
      environmentTags: [...WEB_TAGS, 'answer'],
      input: z.object({ text: z.string().min(1).max(2000) }),
      output: z.object({ answer: z.string() }),
      handler: ({ text }) => {
        session.answer = text;
        return { answer: text };
      },
    }),
  ];
}
