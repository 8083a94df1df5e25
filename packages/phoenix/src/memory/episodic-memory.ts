/**
 * Episodic memory for acting: a table of what each action led to in each situation the agent has
 * been in, built from its recorded training experience. It is the non-parametric half of learning
 * from experience (after model-free episodic control, Blundell et al. 2016, arXiv 1606.04460):
 *
 * - **exploitation**: an action that once led to a high return in this situation is remembered with
 *   its best discounted return-to-go, and the policy's logit for it is raised. A brand's confirm
 *   button or the order of its checkout steps is knowledge no goal text carries; one success
 *   suffices to remember it, where a gradient-free fine-tune needs many.
 * - **dead ends**: an action that never led to a positive return is remembered as such, and its
 *   logit is lowered: most where it ended the episode in failure (a wrong answer, the look-alike
 *   put in the cart), half as much where it was tried twice and the episode went on to fail (a
 *   link that only loops, a craft that cannot succeed), and at the goal-template level wherever
 *   it named the goal's thing and led nowhere (the look-alike's link on every shop). What failed
 *   is then not the agent's first choice again, in practice or in evaluation, and an action never
 *   tried there comes before it.
 * - **exploration**: how often each action was tried here. While exploring, untried actions get a
 *   count-based bonus (per action and per action class), so practice episodes stop repeating the
 *   same wrong first click and cover the page. An action whose goal-template action (below) never
 *   led anywhere counts as tried.
 *
 * - **generalization**: the same statistics one level coarser, per situation class (an environment's
 *   coarse key, `data.situationClass`, e.g. the checkout page of any brand) and action class (the
 *   action without its quoted arguments, e.g. `click button`): the mean return of each action class
 *   there, as a prior where the exact situation has no success yet. One brand's checkout teaches
 *   that a form button places orders and links lead away; the next brand is then explored among
 *   its buttons instead of its 25 actions.
 *
 * - **backoff**: an environment may also give coarser keys of the same state (`data.situationBackoff`,
 *   finer first; the web gives the page without its alerts, then the page without its control
 *   states). An action never tried in the exact situation takes what the first coarser level
 *   remembers of it, scaled by backoffWeight per level: the brand's confirm button learned on a
 *   checkout whose steps were done is tried on the same brand's checkout whose steps are not, and
 *   the step that fixed a rejection is tried before the next one. An action tried in the exact
 *   situation is judged by that alone (a button that was rejected here is not retried for what it
 *   did elsewhere).
 *
 * - **goal templates**: a goal's quoted names are slots (`Add the standard "{1}" to your cart, not
 *   the "{2}".`), and an action that names one of them is remembered by the slot it names
 *   (`click button "Add {1} to cart"`), per goal template and situation class. An action never tried
 *   in the exact situation or its coarser levels takes what the template level remembers of it,
 *   scaled by templateWeight: the item the goal asks for is found on a site never seen before,
 *   while an action that names no slot (a brand's confirm button) never travels this way.
 *
 * A situation is a key the environment puts in the observation (`data.situation`): a string that
 * is the same whenever the agent faces the same kind of state, across task instances (for the web
 * environment: the site, the path and the state of the page's controls, never product names or
 * form values). Without it the memory stays silent for that environment. Returns depend on the
 * goal, so exact memories are goal-conditioned (a button that finishes one goal may be the wrong
 * first move for another; tasks that share a goal sentence share what worked). Class statistics
 * are pooled over every task: they are a prior on what kind of action pays off on a kind of page,
 * and only steer where no exact memory of a success exists.
 *
 * The memory only learns from what the cycle records (training, collaborative and adversarial
 * episodes); held-out evaluations are never recorded, so they never leak into it. Its state is a
 * plain JSON value saved with the cycle's state at each phase boundary, so a resumed run sees the
 * memory exactly as the interrupted one did.
 */
import type { ExperienceInput } from '@chimera/ues';
import { PhoenixError } from '../errors';

export interface EpisodicMemoryOptions {
  /** Discount of the return-to-go remembered for each action (shorter paths win ties). Default 0.9. */
  discount?: number;
  /** Logit added per unit of remembered return (exploiting and exploring). Default 8. */
  exploitWeight?: number;
  /**
   * Return (negative) that a remembered dead end counts as, for actions that never led to a
   * positive return: times the share of its tries that ended the episode in failure; half of it
   * for an action tried at least twice here that led nowhere (the episode went on and failed); all
   * of it at the goal-template level for a template action that never led anywhere. Default 0.5 (a
   * logit of -4 at the exact situation with the default exploitWeight); 0 turns it off.
   */
  deadEndPenalty?: number;
  /**
   * Count bonus c, added only while exploring: c/2 * (1/sqrt(1 + tries of the action here) +
   * 1/sqrt(1 + tries of its action class on this kind of page)), minus log(candidates of its
   * class), so each kind of action gets the same share. Default 5: enough to overrule an
   * untrained scorer that is sure of an action already tried a dozen times without success.
   */
  noveltyBonus?: number;
  /**
   * Logit given to the best action class of a situation class (others in proportion to their mean
   * return) where the exact situation has no remembered success. Default 3; 0 turns it off.
   */
  classWeight?: number;
  /** Most situations kept, coarser levels included (the least recently updated are dropped first). Default 20,000. */
  maxSituations?: number;
  /**
   * Key of a candidate action that is stable across episodes. Default: its text without the
   * toolbelt's short entity ids (`click e17 button "Submit"` -> `click button "Submit"`), since ids
   * are assigned per page.
   */
  actionKey?: (text: string) => string;
  /** Situation of an observation; undefined leaves the memory silent. Default: `data.situation`. */
  situationOf?: (data: Readonly<Record<string, unknown>>) => string | undefined;
  /** Coarser keys of an observation's situation, finer first. Default: `data.situationBackoff`. */
  situationBackoffOf?: (data: Readonly<Record<string, unknown>>) => readonly string[] | undefined;
  /**
   * Scale of what a coarser level remembers, per level (an action's value one level up counts
   * backoffWeight times its return, two levels up its square). Default 0.8; 0 turns backoff off.
   */
  backoffWeight?: number;
  /**
   * The template of a goal: its text with the named things as slots, and the slots' texts. Default
   * `quotedGoalTemplate` (quoted strings are slots); undefined (no slots) leaves the template level out.
   */
  goalTemplateOf?: (goal: string) => GoalTemplate | undefined;
  /**
   * Scale of what the goal-template level remembers of an action that names a slot, for actions no
   * finer level knows. Default 0.5; 0 turns the template level off.
   */
  templateWeight?: number;
  /** Coarse class of an observation's situation. Default: `data.situationClass`. */
  situationClassOf?: (data: Readonly<Record<string, unknown>>) => string | undefined;
  /** Class of a candidate action. Default: its key without quoted arguments (`click button`). */
  actionClass?: (text: string) => string;
}

interface DecisionView {
  recalled: (ActionMemory | undefined)[];
  /**
   * What the memory says each action is worth, in return units: its best return where it led
   * anywhere, minus the dead-end penalty where it only ended episodes in failure; for actions not
   * tried in the exact situation, the first coarser level (backoff, then goal template) that knows
   * them, scaled. 0 where nothing is known.
   */
  values: number[];
  /**
   * Tries of actions not tried in the exact situation whose template action never led anywhere
   * (0 otherwise): exploration counts them as tried.
   */
  futileTries: number[];
  classes: string[];
  classSize: Map<string, number>;
}

/**
 * Exploration weights of a decision: each class the share of one action, untried ones ten times
 * tried (here, or as a template action that never led anywhere).
 */
function weightsOf({ recalled, futileTries, classes, classSize }: DecisionView): Float64Array {
  const weights = Float64Array.from(
    classes,
    (c, i) => (recalled[i] || futileTries[i]! > 0 ? 0.1 : 1) / classSize.get(c)!,
  );
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  return weights;
}

/** Statistics of one action class in one situation class. */
interface ClassMemory {
  tries: number;
  total: number;
}

/** The task a memory is about: exact memories are per goal sentence. */
export interface MemoryTask {
  goal: string;
}

/** What the memory knows about one action in one situation. */
export interface ActionMemory {
  tries: number;
  /** Best discounted return-to-go seen after taking it (0 when it never led anywhere). */
  best: number;
  /** Times the episode ended in failure right after it (terminal, no reward). */
  deadEnds: number;
}

/** One saved action: [actionKey, tries, best, deadEnds (left out when 0)]. */
type SavedAction = [string, number, number, number?];

export interface EpisodicMemoryState {
  version: 1;
  /**
   * [goal \u0000 situation, [actionKey, tries, best, deadEnds?][]][], least recently updated first
   * (deadEnds absent in states saved before it existed: 0).
   */
  entries: [string, SavedAction[]][];
  /** [situation class, [actionClass, tries, total return][]][]. */
  classes?: [string, [string, number, number][]][];
}

const ENTITY_ID = /\be\d+\b\s?/g;

export function defaultActionKey(text: string): string {
  return text.replace(ENTITY_ID, '').trim();
}

export function defaultActionClass(text: string): string {
  return defaultActionKey(text)
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A goal with the things it names replaced by numbered slots. */
export interface GoalTemplate {
  /** The goal with each slot's text replaced by `{1}`, `{2}`, ... in order of appearance. */
  template: string;
  /** The slots' texts, `{1}` first. */
  slots: readonly string[];
}

/** The default goal template: every non-empty double-quoted string of the goal is a slot. */
export function quotedGoalTemplate(goal: string): GoalTemplate | undefined {
  const slots: string[] = [];
  const template = goal.replace(/"([^"]+)"/g, (_whole, text: string) => {
    let i = slots.indexOf(text);
    if (i < 0) i = slots.push(text) - 1;
    return `"{${i + 1}}"`;
  });
  return slots.length > 0 ? { template, slots } : undefined;
}

/**
 * An action key with the slots' texts it contains replaced by their slot (longest text first, so
 * "Lamp Mini" is not read as "Lamp"); undefined when it names no slot.
 */
export function templateAction(action: string, slots: readonly string[]): string | undefined {
  const order = [...slots.keys()].sort((a, b) => slots[b]!.length - slots[a]!.length);
  let out = action;
  let named = false;
  for (const i of order) {
    const text = slots[i]!;
    if (!out.includes(text)) continue;
    out = out.split(text).join(`{${i + 1}}`);
    named = true;
  }
  return named ? out : undefined;
}

function stringList(name: string) {
  return (data: Readonly<Record<string, unknown>>): readonly string[] | undefined => {
    const v = data[name];
    return Array.isArray(v) && v.every((k) => typeof k === 'string' && k.length > 0) ? v : undefined;
  };
}

function field(name: string) {
  return (data: Readonly<Record<string, unknown>>): string | undefined => {
    const v = data[name];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
}

export class EpisodicMemory {
  readonly discount: number;
  readonly exploitWeight: number;
  readonly deadEndPenalty: number;
  readonly noveltyBonus: number;
  readonly classWeight: number;
  readonly backoffWeight: number;
  readonly templateWeight: number;
  private readonly maxSituations: number;
  private readonly goalTemplateOf: (goal: string) => GoalTemplate | undefined;
  private readonly actionKey: (text: string) => string;
  private readonly situationOf: (data: Readonly<Record<string, unknown>>) => string | undefined;
  private readonly situationClassOf: (data: Readonly<Record<string, unknown>>) => string | undefined;
  private readonly situationBackoffOf: (
    data: Readonly<Record<string, unknown>>,
  ) => readonly string[] | undefined;
  private readonly actionClass: (text: string) => string;
  private table = new Map<string, Map<string, ActionMemory>>();
  private classes = new Map<string, Map<string, ClassMemory>>();

  constructor(options: EpisodicMemoryOptions = {}) {
    this.discount = options.discount ?? 0.9;
    this.exploitWeight = options.exploitWeight ?? 8;
    this.deadEndPenalty = options.deadEndPenalty ?? 0.5;
    this.noveltyBonus = options.noveltyBonus ?? 5;
    this.classWeight = options.classWeight ?? 3;
    this.backoffWeight = options.backoffWeight ?? 0.8;
    this.templateWeight = options.templateWeight ?? 0.5;
    this.maxSituations = options.maxSituations ?? 20_000;
    if (!(this.discount > 0 && this.discount <= 1))
      throw new PhoenixError(`EpisodicMemory discount must be in (0, 1], got ${this.discount}`);
    for (const [name, v] of [
      ['exploitWeight', this.exploitWeight],
      ['deadEndPenalty', this.deadEndPenalty],
      ['noveltyBonus', this.noveltyBonus],
      ['classWeight', this.classWeight],
      ['backoffWeight', this.backoffWeight],
      ['templateWeight', this.templateWeight],
    ] as const) {
      if (!(Number.isFinite(v) && v >= 0))
        throw new PhoenixError(`EpisodicMemory ${name} must be >= 0, got ${v}`);
    }
    if (!(Number.isInteger(this.maxSituations) && this.maxSituations > 0))
      throw new PhoenixError(
        `EpisodicMemory maxSituations must be a positive integer, got ${this.maxSituations}`,
      );
    this.actionKey = options.actionKey ?? defaultActionKey;
    this.situationOf = options.situationOf ?? field('situation');
    this.situationClassOf = options.situationClassOf ?? field('situationClass');
    this.situationBackoffOf = options.situationBackoffOf ?? stringList('situationBackoff');
    this.actionClass = options.actionClass ?? defaultActionClass;
    this.goalTemplateOf = options.goalTemplateOf ?? quotedGoalTemplate;
  }

  /** Situations remembered (exact ones; their coarser levels are not counted). */
  get size(): number {
    let n = 0;
    for (const key of this.table.keys()) if (!key.startsWith('~')) n++;
    return n;
  }

  private key(task: MemoryTask, data: unknown): string | undefined {
    if (!data || typeof data !== 'object') return undefined;
    const situation = this.situationOf(data as Record<string, unknown>);
    return situation === undefined ? undefined : `${task.goal}\u0000${situation}`;
  }

  /** Keys of the coarser levels (level 1 first), in their own namespace so no level meets another. */
  private backoffKeys(task: MemoryTask, data: unknown): string[] {
    if (this.backoffWeight === 0 || !data || typeof data !== 'object') return [];
    const keys = this.situationBackoffOf(data as Record<string, unknown>) ?? [];
    return keys.map((k, i) => `~${i + 1}\u0000${task.goal}\u0000${k}`);
  }

  /**
   * The goal-template level of a decision (its own namespace): the key, and the slots that map an
   * action key to its template action. Undefined when the goal has no slots or the observation no
   * situation class.
   */
  private templateLevel(
    task: MemoryTask,
    data: unknown,
  ): { key: string; slots: readonly string[] } | undefined {
    if (this.templateWeight === 0) return undefined;
    const classKey = this.classKey(data);
    if (classKey === undefined) return undefined;
    const template = this.goalTemplateOf(task.goal);
    if (!template || template.slots.length === 0) return undefined;
    return { key: `~t\u0000${template.template}\u0000${classKey}`, slots: template.slots };
  }

  private classKey(data: unknown): string | undefined {
    if (!data || typeof data !== 'object') return undefined;
    const c = this.situationClassOf(data as Record<string, unknown>);
    return c;
  }

  /**
   * Learns from one recorded episode (or several: records are grouped by episode and agent).
   * Records without a decision (no candidates) or without a situation are skipped.
   */
  addEpisode(records: readonly ExperienceInput[]): void {
    const byAgent = new Map<string, ExperienceInput[]>();
    for (const r of records) {
      const k = `${r.episodeId}\u0000${r.agentId ?? ''}`;
      const list = byAgent.get(k) ?? [];
      list.push(r);
      byAgent.set(k, list);
    }
    for (const list of byAgent.values()) {
      list.sort((a, b) => a.step - b.step);
      let returnToGo = 0;
      for (let i = list.length - 1; i >= 0; i--) {
        const r = list[i]!;
        returnToGo = r.reward + this.discount * returnToGo;
        const chosen = r.decision?.candidates?.[r.decision.chosenIndex ?? -1];
        const task = r.metadata?.task;
        if (!chosen || typeof task?.goal !== 'string') continue;
        const key = this.key(task, r.state?.data);
        if (key === undefined) continue;
        const action = this.actionKey(chosen.text);
        // An action that left the situation as it was, for no reward, changed nothing: what came
        // after it is not to its credit (a failed craft before the right one would otherwise be
        // remembered as part of the way).
        const noOp = r.reward === 0 && !r.terminal && this.key(task, r.nextState?.data) === key;
        const deadEnd = r.terminal && r.reward <= 0;
        // The exact situation, then its coarser levels.
        const levels: [string, string][] = [key, ...this.backoffKeys(task, r.state?.data)].map((k) => [
          k,
          action,
        ]);
        // The goal-template level, for an action that names one of the goal's slots.
        const level = this.templateLevel(task, r.state?.data);
        const templated = level && templateAction(action, level.slots);
        if (level && templated) levels.push([level.key, templated]);
        for (const [k, a] of levels) {
          const actions = this.touch(k);
          const entry = actions.get(a) ?? { tries: 0, best: 0, deadEnds: 0 };
          entry.tries++;
          if (!noOp) entry.best = Math.max(entry.best, returnToGo);
          if (deadEnd) entry.deadEnds++;
          actions.set(a, entry);
        }
        const classKey = this.classKey(r.state?.data);
        if (classKey !== undefined) {
          const byClass = this.classes.get(classKey) ?? new Map<string, ClassMemory>();
          this.classes.set(classKey, byClass);
          const actionClass = this.actionClass(chosen.text);
          const stats = byClass.get(actionClass) ?? { tries: 0, total: 0 };
          stats.tries++;
          stats.total += returnToGo;
          byClass.set(actionClass, stats);
        }
      }
    }
    while (this.table.size > this.maxSituations) this.table.delete(this.table.keys().next().value!);
  }

  /** The actions remembered under a key (created if new), moved to the most recently updated end. */
  private touch(key: string): Map<string, ActionMemory> {
    const actions = this.table.get(key) ?? new Map<string, ActionMemory>();
    // Re-insert: Map order is least recently updated first, which is what eviction drops.
    this.table.delete(key);
    this.table.set(key, actions);
    return actions;
  }

  /** What the memory holds for each candidate (undefined: this situation or action is unknown). */
  recall(
    task: MemoryTask,
    data: unknown,
    candidates: readonly { text: string }[],
  ): (ActionMemory | undefined)[] | undefined {
    return this.view(task, data, candidates)?.recalled.map((m) => (m ? { ...m } : undefined));
  }

  /** One decision's lookups, done once: what is remembered of each candidate, and its class. */
  private view(
    task: MemoryTask,
    data: unknown,
    candidates: readonly { text: string }[],
  ): DecisionView | undefined {
    const key = this.key(task, data);
    if (key === undefined) return undefined;
    const actions = this.table.get(key);
    const actionKeys = candidates.map((c) => this.actionKey(c.text));
    const recalled = actionKeys.map((a) => actions?.get(a));
    const values = recalled.map((m) => (m ? this.worth(m) : 0));
    const futileTries = recalled.map(() => 0);

    const levels = this.backoffKeys(task, data).map((k) => this.table.get(k));
    const template = this.templateLevel(task, data);
    const templateActions = template ? this.table.get(template.key) : undefined;
    for (let i = 0; i < actionKeys.length; i++) {
      if (recalled[i]) continue;
      let scale = 1;
      let found = false;
      for (const level of levels) {
        scale *= this.backoffWeight;
        const m = level?.get(actionKeys[i]!);
        if (m) {
          values[i] = scale * this.worth(m);
          found = true;
          break;
        }
      }
      if (found || !template || !templateActions) continue;
      const templated = templateAction(actionKeys[i]!, template.slots);
      const m = templated === undefined ? undefined : templateActions.get(templated);
      if (!m) continue;
      // A named thing that never led anywhere for this goal template is a dead end on the next
      // instance too (the look-alike, its link, a search for it), whether or not it ended an episode.
      values[i] = this.templateWeight * (m.best === 0 ? -this.deadEndPenalty : m.best);
      // A named thing that never led anywhere for this goal template counts as tried (the look-alike
      // fails on every site). Backoff levels do not count: there an action may have failed only
      // because the page was in another state (a confirm button before the brand's steps were done).
      if (m.best === 0) futileTries[i] = m.tries;
    }
    const classes = candidates.map((c) => this.actionClass(c.text));
    const classSize = new Map<string, number>();
    for (const c of classes) classSize.set(c, (classSize.get(c) ?? 0) + 1);
    return { recalled, values, futileTries, classes, classSize };
  }

  /**
   * An action's worth in return units at an exact or backoff level: its best return where it led
   * anywhere; where it never did, minus the dead-end penalty times the share of its tries that
   * ended the episode in failure, or minus half the penalty once it was tried twice for nothing.
   */
  private worth(m: ActionMemory): number {
    if (m.best > 0) return m.best;
    if (m.deadEnds > 0) return (-this.deadEndPenalty * m.deadEnds) / m.tries;
    return m.tries >= 2 ? -this.deadEndPenalty / 2 : 0;
  }

  /**
   * Adds the memory's terms to a policy's logits in place: exploitWeight * best return for every
   * remembered action, and while exploring noveltyBonus / sqrt(1 + tries). Returns whether the
   * situation was known to the memory at all (false: the logits are unchanged).
   */
  adjust(
    logits: Float32Array | Float64Array | number[],
    task: MemoryTask,
    data: unknown,
    candidates: readonly { text: string }[],
    explore: boolean,
  ): boolean {
    return this.steer(logits, task, data, candidates, explore).known;
  }

  /**
   * Where the exploring share of a decision should go (see chooseFromLogits' `explorationWeights`):
   * over kinds of action evenly, and inside a kind to actions never tried in this situation (tried
   * ones keep a tenth). An untrained scorer can be sure of a wrong action at every step; sampling
   * its softmax, or even uniformly over twenty candidates, retries it forever. Undefined when the
   * situation is unknown to the memory's keys.
   */
  explorationWeights(
    task: MemoryTask,
    data: unknown,
    candidates: readonly { text: string }[],
  ): Float64Array | undefined {
    const view = this.view(task, data, candidates);
    return view && candidates.length > 0 ? weightsOf(view) : undefined;
  }

  /**
   * `adjust` and, while exploring, `explorationWeights` for one decision, with one lookup: what a
   * policy calls at every step.
   */
  steer(
    logits: Float32Array | Float64Array | number[],
    task: MemoryTask,
    data: unknown,
    candidates: readonly { text: string }[],
    explore: boolean,
  ): { known: boolean; explorationWeights?: Float64Array } {
    const view = this.view(task, data, candidates);
    if (!view) return { known: false };
    this.adjustWith(view, logits, task, data, explore);
    return explore && candidates.length > 0
      ? { known: true, explorationWeights: weightsOf(view) }
      : { known: true };
  }

  private adjustWith(
    view: DecisionView,
    logits: Float32Array | Float64Array | number[],
    task: MemoryTask,
    data: unknown,
    explore: boolean,
  ): void {
    const { recalled, values, futileTries, classes, classSize } = view;
    let knownSuccess = false;
    const classTries = explore ? this.classTries(task, data) : undefined;
    for (let i = 0; i < recalled.length; i++) {
      const m = recalled[i];
      const value = values[i]!;
      if (value !== 0) logits[i]! += this.exploitWeight * value;
      if (value > 0) knownSuccess = true;
      if (classTries) {
        // Exploration over kinds of action first: each class gets the same share whatever its size
        // (fifteen links must not drown three buttons), classes tried less on this kind of page
        // get more, and inside a class untried actions get more.
        const tries = m?.tries ?? futileTries[i]!;
        const cls = classes[i]!;
        logits[i]! +=
          (this.noveltyBonus / 2) *
            (1 / Math.sqrt(1 + tries) + 1 / Math.sqrt(1 + (classTries.get(cls) ?? 0))) -
          Math.log(classSize.get(cls)!);
      }
    }
    if (!knownSuccess && this.classWeight > 0) {
      const prior = this.priorOf(data, classes);
      if (prior) for (let i = 0; i < prior.length; i++) logits[i]! += this.classWeight * prior[i]!;
    }
  }

  /**
   * Tries per action class on this kind of page (the situation class, pooled over sites and
   * tasks), or in this exact situation when the environment gives no class.
   */
  private classTries(task: MemoryTask, data: unknown): Map<string, number> {
    const out = new Map<string, number>();
    const classKey = this.classKey(data);
    if (classKey !== undefined) {
      for (const [c, stats] of this.classes.get(classKey) ?? []) out.set(c, stats.tries);
      return out;
    }
    const key = this.key(task, data);
    for (const [action, m] of (key === undefined ? undefined : this.table.get(key)) ?? []) {
      const c = this.actionClass(action);
      out.set(c, (out.get(c) ?? 0) + m.tries);
    }
    return out;
  }

  /**
   * Mean return of each candidate's action class in this situation class, scaled so the best class
   * is 1; undefined when the class has no return yet.
   */
  classPrior(data: unknown, candidates: readonly { text: string }[]): number[] | undefined {
    return this.priorOf(
      data,
      candidates.map((c) => this.actionClass(c.text)),
    );
  }

  private priorOf(data: unknown, classes: readonly string[]): number[] | undefined {
    const key = this.classKey(data);
    const byClass = key === undefined ? undefined : this.classes.get(key);
    if (!byClass) return undefined;
    const means = classes.map((c) => {
      const s = byClass.get(c);
      return s && s.tries > 0 ? s.total / s.tries : 0;
    });
    const best = Math.max(...means);
    return best > 0 ? means.map((m) => m / best) : undefined;
  }

  toJSON(): EpisodicMemoryState {
    return {
      version: 1,
      entries: [...this.table.entries()].map(([k, actions]) => [
        k,
        [...actions.entries()].map(
          ([a, m]): SavedAction => (m.deadEnds > 0 ? [a, m.tries, m.best, m.deadEnds] : [a, m.tries, m.best]),
        ),
      ]),
      classes: [...this.classes.entries()].map(([k, byClass]) => [
        k,
        [...byClass.entries()].map(([a, m]) => [a, m.tries, m.total]),
      ]),
    };
  }

  /** Replaces the memory's content with a saved state (a resumed run's). */
  load(state: EpisodicMemoryState | undefined): void {
    this.table = new Map();
    this.classes = new Map();
    if (state === undefined) return;
    if (state?.version !== 1 || !Array.isArray(state.entries)) {
      throw new PhoenixError(
        'episodic memory state is not a version-1 { entries } object: the state file is corrupt or from another version; start a new output directory',
      );
    }
    for (const [k, actions] of state.entries) {
      this.table.set(
        k,
        new Map(
          actions.map(
            ([a, tries, best, deadEnds]) =>
              [a, { tries, best, deadEnds: deadEnds ?? 0 }] as [string, ActionMemory],
          ),
        ),
      );
    }
    for (const [k, byClass] of state.classes ?? []) {
      this.classes.set(
        k,
        new Map(byClass.map(([a, tries, total]) => [a, { tries, total }] as [string, ClassMemory])),
      );
    }
  }
}
