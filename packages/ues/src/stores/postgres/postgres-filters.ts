/** Filters to PostgreSQL WHERE clauses with numbered parameters. */
import type { EpisodeFilter, ExperienceFilter } from '../../store/experience-store';
import { outcomeList, timeBoundMs } from '../../store/time';

export interface PgWhere {
  sql: string;
  params: unknown[];
}

/** Appends to `params` and returns the placeholder for it. */
function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

export function pgExperienceWhere(
  filter: ExperienceFilter,
  params: unknown[],
  schema: string,
  alias = 'x',
): string {
  const c: string[] = [];
  const eq = (column: string, value: unknown) => {
    if (value !== undefined) c.push(`${alias}.${column} = ${bind(params, value)}`);
  };
  if (filter.ids !== undefined) c.push(`${alias}.id = ANY(${bind(params, filter.ids)}::text[])`);
  eq('episode_id', filter.episodeId);
  eq('agent_id', filter.agentId);
  eq('environment', filter.environment);
  eq('self_name', filter.self);
  eq('self_version', filter.selfVersion);
  eq('task_family', filter.taskFamily);
  if (filter.tag !== undefined) c.push(`${bind(params, filter.tag)} = ANY(${alias}.tags)`);
  if (filter.since !== undefined) {
    c.push(`${alias}.started_at >= ${bind(params, new Date(timeBoundMs(filter.since, 'since')))}`);
  }
  if (filter.until !== undefined) {
    c.push(`${alias}.started_at < ${bind(params, new Date(timeBoundMs(filter.until, 'until')))}`);
  }
  if (filter.minReward !== undefined) c.push(`${alias}.reward >= ${bind(params, filter.minReward)}`);
  if (filter.maxReward !== undefined) c.push(`${alias}.reward <= ${bind(params, filter.maxReward)}`);
  if (filter.outcome !== undefined) {
    c.push(`${alias}.outcome = ANY(${bind(params, outcomeList(filter.outcome))}::text[])`);
  }
  if (filter.episodeOutcome !== undefined) {
    const list = bind(params, outcomeList(filter.episodeOutcome));
    c.push(
      `EXISTS (SELECT 1 FROM "${schema}".episodes e WHERE e.episode_id = ${alias}.episode_id AND e.agent_id = ${alias}.agent_id AND e.outcome = ANY(${list}::text[]))`,
    );
  }
  return c.length ? c.join(' AND ') : 'TRUE';
}

export function pgEpisodeWhere(
  filter: EpisodeFilter,
  params: unknown[],
  schema: string,
  table: 'episodes' | 'episode_tags',
): string {
  const a = table === 'episodes' ? 'e' : 't';
  const c: string[] = [];
  const eq = (column: string, value: unknown) => {
    if (value !== undefined) c.push(`${a}.${column} = ${bind(params, value)}`);
  };
  if (table === 'episodes') eq('episode_id', filter.episodeId);
  else if (filter.episodeId !== undefined) {
    c.push(
      `t.episode_seq IN (SELECT seq FROM "${schema}".episodes WHERE episode_id = ${bind(params, filter.episodeId)})`,
    );
  }
  eq('agent_id', filter.agentId);
  eq('environment', filter.environment);
  eq('self_name', filter.self);
  eq('self_version', filter.selfVersion);
  eq('task_family', filter.taskFamily);
  if (filter.tag !== undefined) {
    if (table === 'episode_tags') eq('tag', filter.tag);
    else c.push(`${bind(params, filter.tag)} = ANY(e.tags)`);
  }
  if (filter.outcome !== undefined)
    c.push(`${a}.outcome = ANY(${bind(params, outcomeList(filter.outcome))}::text[])`);
  if (filter.since !== undefined) {
    c.push(`${a}.ended_at >= ${bind(params, new Date(timeBoundMs(filter.since, 'since')))}`);
  }
  if (filter.until !== undefined) {
    c.push(`${a}.ended_at < ${bind(params, new Date(timeBoundMs(filter.until, 'until')))}`);
  }
  return c.length ? c.join(' AND ') : 'TRUE';
}

export function pgLimit(options: { limit?: number; offset?: number }, params: unknown[]): string {
  let sql = '';
  if (options.limit !== undefined) sql += ` LIMIT ${bind(params, options.limit)}`;
  if (options.offset !== undefined) sql += ` OFFSET ${bind(params, options.offset)}`;
  return sql;
}
