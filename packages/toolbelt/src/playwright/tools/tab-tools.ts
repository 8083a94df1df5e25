/** Tab tools: open, switch, close. Tabs keep their numbers; ids are scoped to their tab. */
import { z } from 'zod';
import { type AnyTool, defineTool } from '../../index';
import type { BrowserSession } from '../browser-session';
import { actionResult, WEB_TAGS } from './action-result';

export function tabTools(session: BrowserSession): AnyTool[] {
  const tabNumber = z.number().int().min(1).describe("Tab number from the observation's tab list.");
  return [
    defineTool({
      name: 'open_tab',
      description: 'Open a new tab (at an allowlisted URL if given) and make it the active tab.',
      environmentTags: [...WEB_TAGS, 'tabs'],
      input: z.object({ url: z.string().min(1).max(2048).optional() }),
      output: actionResult,
      timeoutMs: 45_000,
      handler: ({ url }) => session.openTab(url),
    }),
    defineTool({
      name: 'switch_tab',
      description: 'Make another tab the active one; element ids of each tab only work while it is active.',
      environmentTags: [...WEB_TAGS, 'tabs'],
      input: z.object({ tab: tabNumber }),
      output: actionResult,
      handler: ({ tab }) => session.switchTab(tab),
    }),
    defineTool({
      name: 'close_tab',
      description: 'Close a tab (the active one by default); the most recent remaining tab becomes active.',
      environmentTags: [...WEB_TAGS, 'tabs'],
      input: z.object({ tab: tabNumber.optional() }),
      output: actionResult,
      handler: ({ tab }) => session.closeTab(tab),
    }),
  ];
}
