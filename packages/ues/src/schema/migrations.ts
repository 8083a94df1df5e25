/**
 * Schema versions and the migrations between them. Each migration takes a record of version v
 * and returns one of version v + 1; `migrateExperience` runs the chain and validates the result.
 *
 * Version 1 is the blueprint's literal record (Chimera-1 design, section 3.1): snake_case keys,
 * `state`/`next_state` as free objects, `action` as the bare tool call, `done`/`success` flags and
 * metadata `active_self`, `task_goal`, `thought_process`, `timestamp`.
 * Version 2 (current) is ExperienceSchema.
 */
import { SchemaValidationError } from '../errors/schema-validation-error';
import { CURRENT_SCHEMA_VERSION, type Experience } from './experience-schema';
import { describeValue } from './json-value';
import { DEFAULT_AGENT_ID, validateExperience } from './validate';

type Rec = Record<string, unknown>;

const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The version a record says it has (`schemaVersion`, or v1's `schema_version`; neither means 1). */
export function schemaVersionOf(record: unknown): number {
  if (!isObject(record)) return CURRENT_SCHEMA_VERSION;
  const v = record.schemaVersion ?? record.schema_version;
  return typeof v === 'number' ? v : 1;
}

function toIso(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Seconds or milliseconds since the epoch: 1e11 s is the year 5138, so smaller means seconds.
    return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return value;
}

function v1ToV2(r: Rec): Rec {
  const meta = isObject(r.metadata) ? r.metadata : {};
  const act = isObject(r.action) ? r.action : {};
  const tool = typeof act.tool === 'string' ? act.tool : typeof act.name === 'string' ? act.name : '';
  const args = act.args ?? act.arguments ?? {};
  let result: Rec;
  if (isObject(act.result) && typeof act.result.ok === 'boolean') {
    result = { durationMs: 0, tool, ...act.result };
  } else if (act.error !== undefined) {
    result = {
      ok: false,
      tool,
      error: {
        code: 'handler_error',
        message: typeof act.error === 'string' ? act.error : describeValue(act.error),
      },
      durationMs: 0,
    };
  } else {
    result = { ok: true, tool, value: act.result ?? null, durationMs: 0 };
  }
  const terminal = r.done === true || r.terminal === true;
  const truncated = r.truncated === true && !terminal;
  const outcome = terminal
    ? r.success === true
      ? 'success'
      : 'failure'
    : truncated
      ? 'truncated'
      : undefined;
  const agentId = typeof r.agent_id === 'string' ? r.agent_id : DEFAULT_AGENT_ID;
  const asState = (s: unknown) => ({ data: isObject(s) ? s : { value: s ?? null } });
  const out: Rec = {
    schemaVersion: 2,
    id: r.experience_id ?? r.id ?? `${String(r.episode_id)}:${agentId}:${String(r.step)}`,
    episodeId: r.episode_id,
    step: r.step,
    agentId,
    state: asState(r.state),
    action: { call: { tool, args }, result },
    reward: r.reward,
    nextState: asState(r.next_state),
    terminal,
    truncated,
    metadata: {
      environment: meta.environment,
      self: { name: meta.active_self, version: meta.self_version ?? 'unknown' },
      task: {
        goal: meta.task_goal ?? '',
        family: meta.task_family ?? 'unknown',
        difficulty: meta.difficulty ?? 0,
      },
      ...(meta.thought_process === undefined ? {} : { thoughtProcess: meta.thought_process }),
      timestamps: { startedAt: toIso(meta.timestamp ?? r.timestamp) },
      tags: meta.tags ?? [],
    },
  };
  if (outcome !== undefined) out.outcome = outcome;
  if (outcome !== undefined && typeof r.episode_return === 'number') out.episodeReturn = r.episode_return;
  return out;
}

/** migrations[v] turns a version-v record into a version v + 1 record. */
const migrations: Record<number, (record: Rec) => Rec> = {
  1: v1ToV2,
};

/**
 * Brings a record of any known schema version to the current one and validates it.
 * Throws SchemaValidationError (field named) when the result is not a valid experience, or when
 * the record comes from a newer release than this one.
 */
export function migrateExperience(record: unknown, options: { context?: string } = {}): Experience {
  let version = schemaVersionOf(record);
  if (version > CURRENT_SCHEMA_VERSION || !Number.isInteger(version) || version < 1) {
    throw new SchemaValidationError(
      [
        {
          path: 'schemaVersion',
          message: `version ${version} is not known to this release (knows 1..${CURRENT_SCHEMA_VERSION}); upgrade @chimera/ues to read it`,
        },
      ],
      options,
    );
  }
  let current = record;
  while (version < CURRENT_SCHEMA_VERSION) {
    const step = migrations[version];
    if (!step || !isObject(current)) break;
    current = step(current);
    version++;
  }
  return validateExperience(current, { ...options, mode: 'zod' });
}
