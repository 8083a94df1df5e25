/** Filters to SQL WHERE clauses with bound parameters (never string-spliced values). */
import type { EpisodeFilter, ExperienceFilter } from '../../store/experience-store';
import { outcomeList, timeBoundMs } from '../../store/time';

export interface Where {
  sql: string;
  params: unknown[];
}

function inList(column: string, values: string[], params: unknown[]): string {
  params.push(JSON.stringify(values));
  return `${column} IN (SELECT value FROM json_each(?))`;
}

export function experienceWhere(filter: ExperienceFilter = {}, alias = 'x'): Where {
  const c: string[] = [];
  const p: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    c.push(`${alias}.${column} = ?`);
    p.push(value);
  };
  if (filter.ids !== undefined) c.push(inList(`${alias}.id`, filter.ids, p));
  eq('episode_id', filter.episodeId);
  eq('agent_id', filter.agentId);
  eq('environment', filter.environment);
  eq('self_name', filter.self);
  eq('self_version', filter.selfVersion);
  eq('task_family', filter.taskFamily);
  if (filter.tag !== undefined) {
    c.push(`EXISTS (SELECT 1 FROM json_each(${alias}.tags) WHERE value = ?)`);
    p.push(filter.tag);
  }
  if (filter.since !== undefined) {
    c.push(`${alias}.started_at >= ?`);
    p.push(timeBoundMs(filter.since, 'since'));
  }
  if (filter.until !== undefined) {
    c.push(`${alias}.started_at < ?`);
    p.push(timeBoundMs(filter.until, 'until'));
  }
  if (filter.minReward !== undefined) {
    c.push(`${alias}.reward >= ?`);
    p.push(filter.minReward);
  }
  if (filter.maxReward !== undefined) {
    c.push(`${alias}.reward <= ?`);
    p.push(filter.maxReward);
  }
  if (filter.outcome !== undefined) c.push(inList(`${alias}.outcome`, outcomeList(filter.outcome), p));
  if (filter.episodeOutcome !== undefined) {
    const inner: unknown[] = [];
    const list = inList('e.outcome', outcomeList(filter.episodeOutcome), inner);
    c.push(
      `EXISTS (SELECT 1 FROM episodes e WHERE e.episode_id = ${alias}.episode_id AND e.agent_id = ${alias}.agent_id AND ${list})`,
    );
    p.push(...inner);
  }
  return { sql: c.length ? c.join(' AND ') : '1', params: p };
}

/**
 * Episode filter over `episodes` (alias e) or, when `table` is `episode_tags`, over the
 * denormalized per-tag rows (alias t).
 */
export function episodeWhere(filter: EpisodeFilter = {}, table: 'episodes' | 'episode_tags'): Where {
  const a = table === 'episodes' ? 'e' : 't';
  const c: string[] = [];
  const p: unknown[] = [];
  const eq = (column: string, value: unknown) => {
    if (value === undefined) return;
    c.push(`${a}.${column} = ?`);
    p.push(value);
  };
  if (table === 'episodes') eq('episode_id', filter.episodeId);
  else if (filter.episodeId !== undefined) {
    c.push('t.episode_seq IN (SELECT seq FROM episodes WHERE episode_id = ?)');
    p.push(filter.episodeId);
  }
  eq('agent_id', filter.agentId);
  eq('environment', filter.environment);
  eq('self_name', filter.self);
  eq('self_version', filter.selfVersion);
  eq('task_family', filter.taskFamily);
  if (filter.tag !== undefined) {
    if (table === 'episode_tags') eq('tag', filter.tag);
    else {
      c.push('EXISTS (SELECT 1 FROM episode_tags g WHERE g.tag = ? AND g.episode_seq = e.seq)');
      p.push(filter.tag);
    }
  }
  if (filter.outcome !== undefined) c.push(inList(`${a}.outcome`, outcomeList(filter.outcome), p));
  if (filter.since !== undefined) {
    c.push(`${a}.ended_at >= ?`);
    p.push(timeBoundMs(filter.since, 'since'));
  }
  if (filter.until !== undefined) {
    c.push(`${a}.ended_at < ?`);
    p.push(timeBoundMs(filter.until, 'until'));
  }
  return { sql: c.length ? c.join(' AND ') : '1', params: p };
}

export function limitClause(options: { limit?: number; offset?: number }, params: unknown[]): string {
  if (options.limit === undefined && options.offset === undefined) return '';
  params.push(options.limit ?? -1, options.offset ?? 0);
  return ' LIMIT ? OFFSET ?';
}
