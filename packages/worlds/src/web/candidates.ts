/**
 * Candidate actions for a scoring policy: each element id × the tools that apply to it, with text
 * arguments drawn from the goal (quoted strings, emails, numbers) and from what the episode has
 * seen (codes read on earlier pages), option labels of selects, answer candidates from table cells
 * and salient page text, and tab switches. Deduplicated and capped (default 60), page content first.
 */
import type { CandidateAction } from '@chimera/toolbelt';
import type { ObservedElement } from '@chimera/toolbelt/playwright';

/** The part of a web observation's `data` the candidates are built from. */
export interface CandidateSource {
  url: string;
  tab: number;
  tabs: { tab: number; title: string; url: string; active: boolean }[];
  elements: ObservedElement[];
  tables: { caption: string; rows: string[][] }[];
  text: { region: string; text: string }[];
  /** Values remembered from earlier observations of the episode (codes, prices). */
  memory: string[];
  startUrl?: string;
}

export interface CandidateOptions {
  /** Most candidates returned (default 60). */
  max?: number;
  /** Most answer candidates (default 8). */
  maxAnswers?: number;
  /** Most options of one select offered (default 10). */
  maxOptions?: number;
}

const CLICKABLE = new Set([
  'link',
  'button',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'tab',
  'option',
  'treeitem',
  'switch',
  'summary',
]);
const TEXT_FIELDS = new Set(['textbox', 'searchbox']);
const PLACEHOLDER_OPTION = /^(choose|select|pick|--|—|please)/i;
/** Codes worth remembering across pages and typing into forms (PK-1234, W12-3456, SAVE20). */
const CODE = /\b[A-Z]{1,4}\d{0,3}-\d{2,6}\b|\b[A-Z]{3,6}\d{2,3}\b/g;
/** Prices, answer material on the page that shows them. */
const PRICE = /\$\d[\d,]*(?:\.\d\d)?/g;

function words(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0),
  );
}

function overlap(goal: Set<string>, text: string): number {
  let n = 0;
  for (const w of words(text)) if (goal.has(w)) n++;
  return n;
}

/** Text values the goal names: quoted strings, email addresses, and standalone numbers. */
export function goalValues(goal: string): { strings: string[]; numbers: string[] } {
  const strings: string[] = [];
  for (const m of goal.matchAll(/"([^"]{1,200})"|“([^”]{1,200})”/g)) strings.push((m[1] ?? m[2]) as string);
  const unquoted = goal.replace(/"[^"]*"|“[^”]*”/g, ' ');
  for (const m of unquoted.matchAll(/[\w.+-]+@[\w-]+\.[\w.-]+/g)) strings.push(m[0]);
  const numbers = [...unquoted.matchAll(/(?<![\w.$-])\d{1,4}(?![\w.-])/g)].map((m) => m[0]);
  return { strings: [...new Set(strings)], numbers: [...new Set(numbers)] };
}

/** Codes in a text (the episode's memory: values read on one page and needed on another). */
export function salientValues(text: string): string[] {
  return [...new Set(text.match(CODE) ?? [])];
}

function answerValues(text: string): string[] {
  return [...new Set([...(text.match(CODE) ?? []), ...(text.match(PRICE) ?? [])])];
}

function q(text: string): string {
  return JSON.stringify(text);
}

function label(el: ObservedElement): string {
  return `${el.id} ${el.role} ${q(el.name)}${el.newTab ? ' (new tab)' : ''}`;
}

export function webCandidates(
  goal: string,
  source: CandidateSource,
  options: CandidateOptions = {},
): CandidateAction[] {
  const max = options.max ?? 60;
  const maxAnswers = options.maxAnswers ?? 8;
  const maxOptions = options.maxOptions ?? 10;
  const goalWords = words(goal);
  const { strings, numbers } = goalValues(goal);
  const fillValues = [...new Set([...strings, ...source.memory])];

  const content: CandidateAction[] = [];
  const chrome: CandidateAction[] = [];
  for (const el of source.elements) {
    if (el.disabled) continue;
    const out = el.region === 'main' || el.region === 'body' || el.region === 'dialog' ? content : chrome;
    if (CLICKABLE.has(el.role)) {
      out.push({ call: { tool: 'click', args: { id: el.id } }, text: `click ${label(el)}` });
    } else if (TEXT_FIELDS.has(el.role)) {
      for (const value of fillValues) {
        if (value === el.value) continue;
        const submit = el.role === 'searchbox';
        out.push({
          call: {
            tool: 'fill',
            args: submit ? { id: el.id, text: value, submit } : { id: el.id, text: value },
          },
          text: `fill ${label(el)} = ${q(value)}${submit ? ' + Enter' : ''}`,
        });
      }
    } else if (el.role === 'spinbutton') {
      for (const value of numbers) {
        if (value === el.value) continue;
        out.push({
          call: { tool: 'fill', args: { id: el.id, text: value } },
          text: `fill ${label(el)} = ${q(value)}`,
        });
      }
    } else if (el.role === 'combobox' || el.role === 'listbox') {
      const choices = (el.options ?? [])
        .filter((o) => o !== el.value && !PLACEHOLDER_OPTION.test(o))
        .slice(0, maxOptions);
      for (const option of choices) {
        out.push({
          call: { tool: 'select_option', args: { id: el.id, option } },
          text: `select ${label(el)} = ${q(option)}`,
        });
      }
    } else if (el.role === 'checkbox' || el.role === 'radio') {
      if (el.checked === true && el.role === 'checkbox') {
        out.push({ call: { tool: 'uncheck', args: { id: el.id } }, text: `uncheck ${label(el)}` });
      } else if (el.checked !== true) {
        out.push({ call: { tool: 'check', args: { id: el.id } }, text: `check ${label(el)}` });
      }
    }
  }

  const answers = answerCandidates(goalWords, source, maxAnswers);
  const tabs: CandidateAction[] = source.tabs
    .filter((t) => !t.active)
    .map((t) => ({
      call: { tool: 'switch_tab', args: { tab: t.tab } },
      text: `switch_tab ${t.tab} ${q(t.title.slice(0, 60))}`,
    }));
  if (source.startUrl !== undefined && source.url !== source.startUrl) {
    tabs.push({ call: { tool: 'back', args: {} }, text: 'back' });
  }

  const seen = new Set<string>();
  const result: CandidateAction[] = [];
  for (const candidate of [...answers, ...tabs, ...content, ...chrome]) {
    if (result.length >= max) break;
    if (seen.has(candidate.text)) continue;
    seen.add(candidate.text);
    result.push(candidate);
  }
  return result;
}

function answerCandidates(goalWords: Set<string>, source: CandidateSource, limit: number): CandidateAction[] {
  const scored: { value: string; score: number; order: number }[] = [];
  let order = 0;
  for (const table of source.tables) {
    const header = table.rows[0] ?? [];
    for (const row of table.rows.slice(1)) {
      row.forEach((cell, j) => {
        if (j === 0 || !cell || cell.length > 40) return;
        const score = overlap(goalWords, `${row[0] ?? ''} ${header[j] ?? ''} ${table.caption}`);
        scored.push({ value: cell, score, order: order++ });
      });
    }
  }
  for (const block of source.text) {
    for (const value of answerValues(block.text)) {
      scored.push({ value, score: overlap(goalWords, block.text) + 0.5, order: order++ });
    }
  }
  for (const value of source.memory) scored.push({ value, score: 0.25, order: order++ });
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  const values: string[] = [];
  for (const s of scored) {
    if (values.length >= limit) break;
    if (!values.includes(s.value)) values.push(s.value);
  }
  return values.map((value) => ({
    call: { tool: 'answer', args: { text: value } },
    text: `answer ${q(value)}`,
  }));
}
