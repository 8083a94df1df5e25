/** chat (MINDcraft: startConversation): say something other players (agents) hear. */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { type MineflayerAgentState, runAction } from '../agent-state';
import { actionReportSchema, TAGS } from './report-schema';

export function chatTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'chat',
    description:
      'Send a chat message every player hears; `to` prefixes it with @name to address one player ' +
      '(the server has no private messages).',
    environmentTags: TAGS,
    timeoutMs: 5_000,
    input: z.object({ message: z.string().min(1).max(240), to: z.string().min(1).optional() }),
    output: actionReportSchema,
    handler: ({ message, to }, ctx) =>
      runAction(state, `chat ${to ? `@${to} ` : ''}${message}`, ctx.signal, async () => {
        state.bot.chat(to ? `@${to} ${message}` : message);
        return 'message sent';
      }),
  });
}
