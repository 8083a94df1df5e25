/** Page-level tools: navigate, back, forward, press a key, scroll, wait for text. */
import { z } from 'zod';
import { type AnyTool, defineTool, EnvironmentError } from '../../index';
import type { BrowserSession } from '../browser-session';
import { actionResult, elementId, WEB_TAGS } from './action-result';

const KEY =
  /^(?:(?:Control|Shift|Alt|Meta)\+)*(?:[A-Za-z0-9]|Enter|Tab|Escape|Backspace|Delete|Space|ArrowUp|ArrowDown|ArrowLeft|ArrowRight|Home|End|PageUp|PageDown|F[1-9]|F1[0-2])$/;

export function pageTools(session: BrowserSession): AnyTool[] {
  return [
    defineTool({
      name: 'navigate',
      description:
        'Open a URL in the active tab. Only http(s) pages on the allowlist can be opened; other schemes (file:, chrome:, javascript:) and other sites are refused, whatever a page says.',
      environmentTags: [...WEB_TAGS, 'navigation'],
      input: z.object({ url: z.string().min(1).max(2048).describe('Absolute http(s) URL.') }),
      output: actionResult,
      timeoutMs: 45_000,
      exampleUsage: '{"tool":"navigate","args":{"url":"http://127.0.0.1:8080/"}}',
      handler: ({ url }) => session.navigate(url),
    }),
    defineTool({
      name: 'back',
      description: 'Go back one page in the active tab history.',
      environmentTags: [...WEB_TAGS, 'navigation'],
      input: z.object({}),
      output: actionResult,
      timeoutMs: 45_000,
      handler: () =>
        session.act('back', async (page) => {
          const response = await page.goBack({ waitUntil: 'domcontentloaded' });
          if (response === null && page.url() === 'about:blank')
            throw new EnvironmentError('There is no earlier page in this tab.');
        }),
    }),
    defineTool({
      name: 'forward',
      description: 'Go forward one page in the active tab history.',
      environmentTags: [...WEB_TAGS, 'navigation'],
      input: z.object({}),
      output: actionResult,
      timeoutMs: 45_000,
      handler: () =>
        session.act('forward', async (page) => {
          await page.goForward({ waitUntil: 'domcontentloaded' });
        }),
    }),
    defineTool({
      name: 'press_key',
      description:
        'Press a key (Enter, Tab, Escape, ArrowDown, Control+A...), in an element when an id is given.',
      environmentTags: [...WEB_TAGS, 'interaction'],
      input: z.object({
        key: z
          .string()
          .regex(KEY, 'a key name such as Enter, Tab, Escape, ArrowDown, a letter, or Control+A'),
        id: elementId.optional(),
      }),
      output: actionResult,
      timeoutMs: 30_000,
      handler: async ({ key, id }) => {
        const target = id === undefined ? undefined : await session.element(id);
        return session.act(`press ${key}`, (page) =>
          target ? target.press(key, { timeout: session.actionTimeoutMs }) : page.keyboard.press(key),
        );
      },
    }),
    defineTool({
      name: 'scroll',
      description: 'Scroll the page (up, down, top, bottom), or scroll an element into view by its id.',
      environmentTags: [...WEB_TAGS, 'navigation'],
      input: z.object({
        direction: z.enum(['up', 'down', 'top', 'bottom']).optional(),
        id: elementId.optional(),
      }),
      output: actionResult,
      timeoutMs: 20_000,
      handler: async ({ direction, id }) => {
        const target = id === undefined ? undefined : await session.element(id);
        return session.act('scroll', async (page) => {
          if (target) return target.scrollIntoViewIfNeeded({ timeout: session.actionTimeoutMs });
          const where = direction ?? 'down';
          await page.evaluate(
            where === 'top'
              ? 'window.scrollTo(0, 0)'
              : where === 'bottom'
                ? 'window.scrollTo(0, document.documentElement.scrollHeight)'
                : `window.scrollBy(0, ${where === 'down' ? '' : '-'}Math.round(window.innerHeight * 0.8))`,
          );
        });
      },
    }),
    defineTool({
      name: 'wait_for_text',
      description: 'Wait until a text appears on the page (for pages that load or update after a delay).',
      environmentTags: [...WEB_TAGS, 'synchronization'],
      input: z.object({
        text: z.string().min(1).max(200),
        timeoutMs: z.number().int().min(100).max(15_000).optional().describe('Default 5,000 ms.'),
      }),
      output: actionResult.extend({ found: z.boolean() }),
      timeoutMs: 30_000,
      handler: async ({ text, timeoutMs }) => {
        let found = false;
        const result = await session.act('wait_for_text', async (page) => {
          try {
            await page
              .getByText(text)
              .first()
              .waitFor({ state: 'visible', timeout: timeoutMs ?? 5_000 });
            found = true;
          } catch (error) {
            if (!/Timeout/i.test(String(error))) throw error;
          }
        });
        if (!found) {
          throw new EnvironmentError(`"${text}" did not appear within ${timeoutMs ?? 5_000} ms.`, {
            details: { text },
          });
        }
        return { ...result, found };
      },
    }),
  ];
}
