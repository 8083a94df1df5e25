/** attack (MINDcraft: attack / attackPlayer): hit an entity by short id or name. */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction } from '../agent-state';
import { goals } from '../deps';
import { sleep, throwIfAborted } from '../interrupt';
import { walkTo } from '../movement';
import { normalizeName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

type Entity = MineflayerAgentState['bot']['entity'];

function findTarget(state: MineflayerAgentState, target: string): Entity {
  const { bot } = state;
  if (/^e\d+$/.test(target)) {
    const entityId = state.entities.resolve(state.scope, target) as number;
    const entity = bot.entities[entityId];
    if (!entity) throw new ToolCallError('handler_error', `${target} is gone`);
    return entity;
  }
  const wanted = normalizeName(target);
  const matches = Object.values(bot.entities).filter(
    (e) => e !== bot.entity && (e.username === target || e.name === wanted),
  );
  if (matches.length === 0) {
    throw new ToolCallError(
      'invalid_arguments',
      `no entity "${target}" in sight: use an id from nearby_entities`,
    );
  }
  return matches.reduce((a, b) =>
    a.position.distanceTo(bot.entity.position) <= b.position.distanceTo(bot.entity.position) ? a : b,
  );
}

export function attackTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'attack',
    description:
      'Walk to an entity (short id like e3, a mob name, or a player name) and hit it `hits` times.',
    environmentTags: TAGS,
    timeoutMs: 20_000,
    input: z.object({ target: z.string().min(1), hits: z.number().int().min(1).max(20).default(3) }),
    output: actionReportSchema,
    handler: ({ target, hits }, ctx) =>
      runAction(state, `attack ${target} ${hits}`, ctx.signal, async () => {
        const { bot } = state;
        const entity = findTarget(state, target);
        const label = entity.username ?? entity.name ?? target;
        let done = 0;
        while (done < hits && bot.entities[entity.id]) {
          throwIfAborted(ctx.signal);
          const p = entity.position;
          if (bot.entity.position.distanceTo(p) > 3) {
            await walkTo(bot, new goals.GoalNear(p.x, p.y, p.z, 2), ctx.signal, label);
          }
          await bot.lookAt(p.offset(0, (entity.height ?? 1) * 0.8, 0), true);
          bot.attack(entity);
          done++;
          await sleep(250, ctx.signal);
        }
        const gone = !bot.entities[entity.id];
        return `hit ${label} ${done} time${done === 1 ? '' : 's'}${gone ? '; it is gone' : ''}`;
      }),
  });
}
