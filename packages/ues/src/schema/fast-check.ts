/**
 * A hand-compiled acceptance check for the experience schema: the append hot path.
 *
 * Zod 4 costs about as much per 1.4 KB record as the SQLite insert itself. This check accepts
 * only records that ExperienceSchema also accepts (a strict subset: whenever it is unsure it says
 * no), and a "no" sends the record through zod, which then either accepts it or names the field.
 * So refusals and their messages always come from zod; fast-check.test.ts fuzzes the subset
 * property against the zod schema.
 */
import { CURRENT_SCHEMA_VERSION } from './experience-schema';
import { findNonJson } from './json-value';

type Rec = Record<string, unknown>;

const ROOT_KEYS = new Set([
  'schemaVersion',
  'id',
  'episodeId',
  'step',
  'agentId',
  'state',
  'action',
  'reward',
  'nextState',
  'terminal',
  'truncated',
  'outcome',
  'episodeReturn',
  'decision',
  'metadata',
]);
const STATE_KEYS = new Set(['data', 'text', 'images']);
const IMAGE_KEYS = new Set(['sha256', 'mime', 'size', 'width', 'height', 'label']);
const ACTION_KEYS = new Set(['call', 'result']);
const CALL_KEYS = new Set(['tool', 'args', 'id']);
const OK_RESULT_KEYS = new Set(['ok', 'tool', 'value', 'durationMs', 'callId']);
const ERR_RESULT_KEYS = new Set(['ok', 'tool', 'error', 'durationMs', 'callId']);
const ERROR_KEYS = new Set(['code', 'message', 'details']);
const DECISION_KEYS = new Set(['candidates', 'chosenIndex', 'logProb', 'value', 'policy']);
const CANDIDATE_KEYS = new Set(['text', 'call']);
const CANDIDATE_CALL_KEYS = new Set(['tool', 'args']);
const META_KEYS = new Set([
  'environment',
  'self',
  'task',
  'thoughtProcess',
  'timestamps',
  'tags',
  'actionGraph',
  'mcc',
  'extra',
]);
const SELF_KEYS = new Set(['name', 'version']);
const TASK_KEYS = new Set(['id', 'goal', 'family', 'difficulty']);
const TIME_KEYS = new Set(['startedAt', 'endedAt']);
const EDGE_KEYS = new Set(['relation', 'target', 'agentId']);
const ERROR_CODES = new Set([
  'parse_error',
  'unknown_tool',
  'invalid_arguments',
  'permission_denied',
  'rate_limited',
  'handler_error',
  'timeout',
  'invalid_output',
  'stale_entity',
  'environment_error',
]);
const RELATIONS = new Set(['responds-to', 'enables', 'blocks']);
const SHA256 = /^[0-9a-f]{64}$/;

function isPlain(v: unknown): v is Rec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Every own key is known (strict objects refuse unknown keys). */
function onlyKeys(v: Rec, keys: Set<string>): boolean {
  for (const k in v) if (!keys.has(k)) return false;
  return true;
}

const str = (v: unknown): v is string => typeof v === 'string';
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const id = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 256;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const optNum = (v: unknown) => v === undefined || num(v);
const json = (v: unknown) => v === undefined || findNonJson(v) === null;
const jsonObject = (v: unknown) => isPlain(v) && findNonJson(v) === null;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `i` as a number, or -1. */
function digits2(v: string, i: number): number {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Only the exact form Date#toISOString writes, `YYYY-MM-DDTHH:MM:SS.sssZ`, with a real calendar
 * date (zod's datetime accepts it); any other form goes to zod. Parsed by hand: Date.parse plus
 * toISOString cost as much as the rest of the check.
 */
function isoTimestamp(v: unknown): boolean {
  if (typeof v !== 'string' || v.length !== 24) return false;
  if (
    v[4] !== '-' ||
    v[7] !== '-' ||
    v[10] !== 'T' ||
    v[13] !== ':' ||
    v[16] !== ':' ||
    v[19] !== '.' ||
    v[23] !== 'Z'
  ) {
    return false;
  }
  const hi = digits2(v, 0);
  const lo = digits2(v, 2);
  const month = digits2(v, 5);
  const day = digits2(v, 8);
  const ms = v.charCodeAt(22) - 48;
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1 || digits2(v, 20) < 0 || ms < 0 || ms > 9)
    return false;
  const year = hi * 100 + lo;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return false;
  const hour = digits2(v, 11);
  const minute = digits2(v, 14);
  const second = digits2(v, 17);
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60;
}

function image(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, IMAGE_KEYS)) return false;
  return (
    typeof v.sha256 === 'string' &&
    SHA256.test(v.sha256) &&
    (v.mime === 'image/jpeg' || v.mime === 'image/png') &&
    Number.isSafeInteger(v.size) &&
    (v.size as number) >= 0 &&
    (v.width === undefined || (Number.isSafeInteger(v.width) && (v.width as number) > 0)) &&
    (v.height === undefined || (Number.isSafeInteger(v.height) && (v.height as number) > 0)) &&
    optStr(v.label)
  );
}

function state(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, STATE_KEYS)) return false;
  if (!jsonObject(v.data) || !optStr(v.text)) return false;
  if (v.images !== undefined) {
    if (!Array.isArray(v.images)) return false;
    for (const img of v.images) if (!image(img)) return false;
  }
  return true;
}

function action(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, ACTION_KEYS)) return false;
  const call = v.call;
  if (!isPlain(call) || !onlyKeys(call, CALL_KEYS) || !nonEmpty(call.tool) || !optStr(call.id)) return false;
  if (!json(call.args)) return false;
  const r = v.result;
  if (!isPlain(r) || !str(r.tool) || !num(r.durationMs) || r.durationMs < 0 || !optStr(r.callId))
    return false;
  if (r.ok === true) return onlyKeys(r, OK_RESULT_KEYS) && json(r.value);
  if (r.ok !== false || !onlyKeys(r, ERR_RESULT_KEYS)) return false;
  const e = r.error;
  return (
    isPlain(e) &&
    onlyKeys(e, ERROR_KEYS) &&
    ERROR_CODES.has(e.code as string) &&
    str(e.message) &&
    (e.details === undefined || jsonObject(e.details))
  );
}

function decision(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, DECISION_KEYS)) return false;
  if (!optNum(v.logProb) || !optNum(v.value) || !optStr(v.policy)) return false;
  let count = -1;
  if (v.candidates !== undefined) {
    if (!Array.isArray(v.candidates)) return false;
    for (const c of v.candidates) {
      if (!isPlain(c) || !onlyKeys(c, CANDIDATE_KEYS) || !str(c.text)) return false;
      const call = c.call;
      if (
        !isPlain(call) ||
        !onlyKeys(call, CANDIDATE_CALL_KEYS) ||
        !nonEmpty(call.tool) ||
        !json(call.args)
      ) {
        return false;
      }
    }
    count = v.candidates.length;
  }
  if (v.chosenIndex !== undefined) {
    if (!Number.isSafeInteger(v.chosenIndex) || (v.chosenIndex as number) < 0) return false;
    if (count >= 0 && (v.chosenIndex as number) >= count) return false;
  }
  return true;
}

function metadata(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, META_KEYS)) return false;
  if (!nonEmpty(v.environment) || !optStr(v.thoughtProcess)) return false;
  const self = v.self;
  if (!isPlain(self) || !onlyKeys(self, SELF_KEYS) || !nonEmpty(self.name) || !nonEmpty(self.version))
    return false;
  const task = v.task;
  if (!isPlain(task) || !onlyKeys(task, TASK_KEYS)) return false;
  if (!optStr(task.id) || !str(task.goal) || !nonEmpty(task.family) || !num(task.difficulty)) return false;
  const ts = v.timestamps;
  if (!isPlain(ts) || !onlyKeys(ts, TIME_KEYS) || !isoTimestamp(ts.startedAt)) return false;
  if (ts.endedAt !== undefined && !isoTimestamp(ts.endedAt)) return false;
  if (!Array.isArray(v.tags)) return false;
  for (const t of v.tags) if (!nonEmpty(t)) return false;
  if (v.actionGraph !== undefined) {
    if (!Array.isArray(v.actionGraph)) return false;
    for (const e of v.actionGraph) {
      if (!isPlain(e) || !onlyKeys(e, EDGE_KEYS) || !RELATIONS.has(e.relation as string)) return false;
      if (!id(e.target) || !optStr(e.agentId)) return false;
    }
  }
  if (v.mcc !== undefined) {
    const m = v.mcc;
    if (!isPlain(m) || !str(m.chosenSelf) || !str(m.reason)) return false;
    if (m.scores !== undefined) {
      if (!isPlain(m.scores)) return false;
      for (const k in m.scores) if (!num(m.scores[k])) return false;
    }
    if (findNonJson(m) !== null) return false;
  }
  return v.extra === undefined || jsonObject(v.extra);
}

/** True only when ExperienceSchema accepts `v` too; false means "ask zod". */
export function fastAcceptsExperience(v: unknown): boolean {
  if (!isPlain(v) || !onlyKeys(v, ROOT_KEYS)) return false;
  if (v.schemaVersion !== CURRENT_SCHEMA_VERSION) return false;
  if (!id(v.id) || !id(v.episodeId) || !id(v.agentId)) return false;
  if (!Number.isSafeInteger(v.step) || (v.step as number) < 0) return false;
  if (!num(v.reward) || typeof v.terminal !== 'boolean' || typeof v.truncated !== 'boolean') return false;
  if (!optNum(v.episodeReturn)) return false;
  const outcome = v.outcome;
  if (v.terminal) {
    if (outcome !== 'success' && outcome !== 'failure') return false;
  } else if (v.truncated) {
    if (outcome !== 'truncated') return false;
  } else if (outcome !== undefined || v.episodeReturn !== undefined) {
    return false;
  }
  if (!state(v.state) || !state(v.nextState) || !action(v.action)) return false;
  if (v.decision !== undefined && !decision(v.decision)) return false;
  return metadata(v.metadata);
}
