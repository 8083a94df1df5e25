/** Tools that act on one element by its short id: click, fill, type, select, check, uncheck. */
import { z } from 'zod';
import { type AnyTool, defineTool, EnvironmentError } from '../../index';
import type { BrowserSession } from '../browser-session';
import { actionResult, elementId, WEB_TAGS } from './action-result';

export function elementTools(session: BrowserSession): AnyTool[] {
  const timeout = () => session.actionTimeoutMs;
  return [
    defineTool({
      name: 'click',
      description: 'Click an element (button, link, checkbox label...) by its id from the observation.',
      environmentTags: [...WEB_TAGS, 'interaction'],
      input: z.object({ id: elementId }),
      output: actionResult,
      timeoutMs: 30_000,
      exampleUsage: '{"tool":"click","args":{"id":"e12"}}',
      handler: async ({ id }) => {
        // A link into a new tab: wait for the tab, however long the browser takes to open it.
        const { locator: target, newTab } = await session.elementEntry(id);
        return session.act(`click ${id}`, () => target.click({ timeout: timeout() }), { opensTab: newTab });
      },
    }),
    defineTool({
      name: 'fill',
      description:
        'Replace the text of a text field by its id. Set submit to press Enter afterwards (submits search boxes and simple forms).',
      environmentTags: [...WEB_TAGS, 'forms'],
      input: z.object({
        id: elementId,
        text: z.string().max(5000).describe('The full new value of the field.'),
        submit: z.boolean().optional().describe('Press Enter after filling.'),
      }),
      output: actionResult,
      timeoutMs: 30_000,
      exampleUsage: '{"tool":"fill","args":{"id":"e3","text":"ann@example.org"}}',
      handler: async ({ id, text, submit }) => {
        const target = await session.element(id);
        return session.act(
          `fill ${id}`,
          async () => {
            await target.fill(text, { timeout: timeout() });
            if (submit) await target.press('Enter', { timeout: timeout() });
          },
          { mayNavigate: submit === true },
        );
      },
    }),
    defineTool({
      name: 'type',
      description:
        'Type text key by key into a field (for fields that react to each keystroke, e.g. autocomplete); appends to what is there.',
      environmentTags: [...WEB_TAGS, 'forms'],
      input: z.object({
        id: elementId,
        text: z.string().max(2000),
        submit: z.boolean().optional().describe('Press Enter after typing.'),
      }),
      output: actionResult,
      timeoutMs: 60_000,
      handler: async ({ id, text, submit }) => {
        const target = await session.element(id);
        return session.act(`type ${id}`, async () => {
          // Focusing a field may put the caret first: move it to the end, so typing appends.
          await target.press('End', { timeout: timeout() });
          await target.pressSequentially(text, { timeout: timeout() + text.length * 20 });
          if (submit) await target.press('Enter', { timeout: timeout() });
        });
      },
    }),
    defineTool({
      name: 'select_option',
      description: 'Choose an option of a select (combobox) by its visible label or value.',
      environmentTags: [...WEB_TAGS, 'forms'],
      input: z.object({ id: elementId, option: z.string().min(1).describe('Option label (or value).') }),
      output: actionResult,
      timeoutMs: 30_000,
      exampleUsage: '{"tool":"select_option","args":{"id":"e7","option":"Norway"}}',
      handler: async ({ id, option }) => {
        const target = await session.element(id);
        return session.act(
          `select_option ${id}`,
          async () => {
            // Read the labels first (returns at once), so a wrong option is a clear error, not a wait.
            const labels = (await target.locator('option').allTextContents()).map((l) =>
              l.replace(/\s+/g, ' ').trim(),
            );
            const wanted = option.trim();
            const label =
              labels.find((l) => l === wanted) ??
              labels.find((l) => l.toLowerCase() === wanted.toLowerCase());
            if (label !== undefined) {
              await target.selectOption({ label }, { timeout: timeout() });
              return;
            }
            try {
              await target.selectOption({ value: option }, { timeout: 1_000 });
            } catch {
              throw new EnvironmentError(
                `${id} has no option "${option}"; its options are ${labels.map((l) => JSON.stringify(l)).join(', ')}.`,
              );
            }
          },
          { mayNavigate: false },
        );
      },
    }),
    defineTool({
      name: 'check',
      description: 'Tick a checkbox or choose a radio button by its id (no change if already ticked).',
      environmentTags: [...WEB_TAGS, 'forms'],
      input: z.object({ id: elementId }),
      output: actionResult,
      timeoutMs: 30_000,
      handler: async ({ id }) => {
        const target = await session.element(id);
        return session.act(`check ${id}`, () => target.check({ timeout: timeout() }), { mayNavigate: false });
      },
    }),
    defineTool({
      name: 'uncheck',
      description: 'Untick a checkbox by its id (no change if already unticked).',
      environmentTags: [...WEB_TAGS, 'forms'],
      input: z.object({ id: elementId }),
      output: actionResult,
      timeoutMs: 30_000,
      handler: async ({ id }) => {
        const target = await session.element(id);
        return session.act(`uncheck ${id}`, () => target.uncheck({ timeout: timeout() }), {
          mayNavigate: false,
        });
      },
    }),
  ];
}
