/**
 * The observation summarizer: turns the page script's raw data into a compact, model-readable
 * page: interactive elements with short ids (role, name, value/state, a select's options),
 * headings, key visible text grouped by landmark region, tables, alerts, the URL and the tab list.
 * Never raw HTML.
 *
 * Where the tokens go: content regions (main, dialogs, unlandmarked body) keep their text in
 * document order; header, navigation, sidebars and footer collapse to one line each with their
 * controls and only short text; repeated components (cards, comments: many same-class siblings)
 * keep the text of their first few items and a count; runs of links share a line. Interactive
 * elements are never dropped, so every control on the page has an id.
 */
import type { RawPageBlock, RawPageElement, RawPageSnapshot } from './page-script';

export interface ObservedElement {
  id: string;
  role: string;
  name: string;
  value?: string;
  checked?: boolean | 'mixed';
  options?: string[];
  optionCount?: number;
  disabled?: boolean;
  required?: boolean;
  invalid?: boolean;
  expanded?: boolean;
  href?: string;
  newTab?: boolean;
  region: string;
  regionLabel?: string;
  form?: string;
}

export interface TabInfo {
  tab: number;
  title: string;
  url: string;
  active: boolean;
}

export interface PageObservation {
  url: string;
  title: string;
  /** Number of the observed (active) tab. */
  tab: number;
  tabs: TabInfo[];
  elements: ObservedElement[];
  headings: { level: number; text: string }[];
  /** Text blocks kept, with their region. */
  text: { region: string; text: string }[];
  tables: { caption: string; rows: string[][]; rowCount: number }[];
  alerts: string[];
  /** What happened since the previous observation (blocked submits, refused navigations, new tabs...). */
  events: string[];
  scroll: { y: number; height: number; viewport: number };
  stats: { domNodes: number; textBlocks: number; textBlocksOmitted: number };
  /** The rendering a model reads. */
  rendered: string;
}

export interface SummarizeOptions {
  /** Items of a repeated structure whose text is kept (default 3). */
  keepRepeatedItems?: number;
  /** Longest text block kept in content regions (characters, default 300). */
  maxBlockChars?: number;
  /** Longest text kept in header/nav/aside/footer (default 80). */
  maxChromeTextChars?: number;
  /** Most short text blocks kept per header/nav/aside/footer region (default 4). */
  maxChromeTexts?: number;
  /** Table rows shown (header included, default 12); extract_table reads all. */
  maxTableRows?: number;
  /**
   * The origin of the site the agent works on: its URLs are shown as paths. A local site's port
   * changes from run to run and means nothing to a model; showing it would make two runs of the
   * same seeded task read differently.
   */
  homeOrigin?: string;
}

const CONTENT = new Set(['main', 'body', 'dialog']);
const REGION_ORDER = ['dialog', 'header', 'nav', 'main', 'body', 'aside', 'footer'];

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** `e12 button "Place order"`, with the state that matters for acting on it. */
export function renderElement(el: ObservedElement, pageOrigin?: string, compactLink = false): string {
  let out =
    compactLink && el.role === 'link' && el.name
      ? `${el.id} ${el.name}`
      : `${el.id} ${el.role} ${quote(el.name)}`;
  if (el.checked !== undefined) out += el.checked === 'mixed' ? ' [-]' : el.checked ? ' [x]' : ' [ ]';
  if (el.value !== undefined && el.value !== '') out += ` = ${quote(el.value)}`;
  if (el.options) {
    const more = (el.optionCount ?? el.options.length) - el.options.length;
    out += ` {${el.options.join('|')}${more > 0 ? `|+${more}` : ''}}`;
  }
  if (el.required) out += ' *';
  if (el.invalid) out += ' !invalid';
  if (el.disabled) out += ' (disabled)';
  if (el.expanded !== undefined) out += el.expanded ? ' (expanded)' : ' (collapsed)';
  if (el.newTab) out += ' (new tab)';
  if (el.href && pageOrigin) {
    try {
      const target = new URL(el.href);
      if (target.origin !== pageOrigin)
        out += ` ↗${target.protocol === 'http:' || target.protocol === 'https:' ? target.host : target.protocol}`;
    } catch {
      // An unparsable href is shown without a host.
    }
  }
  return out;
}

function renderTable(block: RawPageBlock, maxRows: number): string[] {
  const rows = block.rows ?? [];
  const lines = [`table${block.text ? ` ${quote(block.text)}` : ''}:`];
  for (const row of rows.slice(0, maxRows)) lines.push(`| ${row.join(' | ')}`);
  const more = (block.rowCount ?? rows.length) - Math.min(rows.length, maxRows);
  if (more > 0) lines.push(`| (+${more} rows; extract_table reads them all)`);
  return lines;
}

type Entry =
  | { kind: 'element'; el: ObservedElement; raw: RawPageElement }
  | { kind: 'block'; block: RawPageBlock };

/**
 * Builds the observation. `idOf` maps a page ref to its short id (the session's entity registry).
 */
export function summarizePage(
  raw: RawPageSnapshot,
  idOf: (ref: string) => string,
  context: { tab: number; tabs: TabInfo[]; events?: string[] },
  options: SummarizeOptions = {},
): PageObservation {
  const keepItems = options.keepRepeatedItems ?? 3;
  const maxBlock = options.maxBlockChars ?? 300;
  const maxChromeText = options.maxChromeTextChars ?? 80;
  const maxChromeTexts = options.maxChromeTexts ?? 4;
  const maxTableRows = options.maxTableRows ?? 12;
  let origin: string | undefined;
  try {
    origin = new URL(raw.url).origin;
  } catch {
    origin = undefined;
  }

  const elements: ObservedElement[] = raw.elements.map((r) => {
    const { ref: _ref, tag: _tag, order: _order, item: _item, ...rest } = r;
    return { id: idOf(r.ref), ...rest };
  });
  const entries: Entry[] = [
    ...raw.elements.map((r, i) => ({ kind: 'element' as const, el: elements[i] as ObservedElement, raw: r })),
    ...raw.blocks.map((b) => ({ kind: 'block' as const, block: b })),
  ].sort(
    (a, b) =>
      (a.kind === 'element' ? a.raw.order : a.block.order) -
      (b.kind === 'element' ? b.raw.order : b.block.order),
  );

  // Repeated structures: how many text blocks each list loses past its first items.
  const omittedByList = new Map<string, number>();
  const itemIndex = (item: string | undefined) => (item ? Number(item.split(':')[1]) : -1);
  for (const b of raw.blocks) {
    if (b.kind === 'text' && b.item && itemIndex(b.item) >= keepItems) {
      const list = b.item.split(':')[0] as string;
      omittedByList.set(list, (omittedByList.get(list) ?? 0) + 1);
    }
  }

  const headings: { level: number; text: string }[] = [];
  const text: { region: string; text: string }[] = [];
  const tables: PageObservation['tables'] = [];
  const alerts: string[] = [];
  let omitted = 0;

  const regionKey = (region: string, label?: string) => (label ? `${region}:${label}` : region);
  const content: string[] = [];
  const chrome = new Map<string, { parts: string[]; texts: number; seen: Set<string> }>();
  const seenContent = new Set<string>();
  const announced = new Set<string>();
  let linkRun: string[] = [];
  let lastForm = '';
  const flushLinks = () => {
    if (linkRun.length >= 3) content.push(`links: ${linkRun.join(' · ')}`);
    else for (const l of linkRun) content.push(l);
    linkRun = [];
  };

  for (const entry of entries) {
    const region = entry.kind === 'element' ? entry.el.region : entry.block.region;
    const label = entry.kind === 'element' ? entry.el.regionLabel : entry.block.regionLabel;
    if (entry.kind === 'block' && entry.block.kind === 'heading') {
      headings.push({ level: entry.block.level ?? 2, text: entry.block.text });
    }
    if (entry.kind === 'block' && entry.block.kind === 'table') {
      tables.push({
        caption: entry.block.text,
        rows: entry.block.rows ?? [],
        rowCount: entry.block.rowCount ?? 0,
      });
    }
    if (entry.kind === 'block' && entry.block.kind === 'alert') alerts.push(entry.block.text);

    if (!CONTENT.has(region)) {
      const key = regionKey(region, label);
      let group = chrome.get(key);
      if (!group) {
        group = { parts: [], texts: 0, seen: new Set() };
        chrome.set(key, group);
      }
      if (entry.kind === 'element') {
        group.parts.push(renderElement(entry.el, origin, true));
      } else if (entry.block.kind === 'table') {
        group.parts.push(renderTable(entry.block, maxTableRows).join(' '));
      } else {
        const t = entry.block.text;
        const keep =
          entry.block.kind !== 'text' ||
          (t.length <= maxChromeText &&
            group.texts < maxChromeTexts &&
            !group.seen.has(t) &&
            itemIndex(entry.block.item) < keepItems);
        if (keep) {
          group.seen.add(t);
          if (entry.block.kind === 'text') group.texts++;
          group.parts.push(
            entry.block.kind === 'heading' ? `## ${t}` : entry.block.kind === 'alert' ? `! ${t}` : t,
          );
          text.push({ region, text: t });
        } else omitted++;
      }
      continue;
    }

    // Content regions, in document order.
    if (entry.kind === 'element') {
      const el = entry.el;
      if (el.form && el.form !== lastForm) {
        flushLinks();
        content.push(`form ${quote(el.form)}:`);
      }
      lastForm = el.form ?? '';
      if (el.role === 'link') linkRun.push(renderElement(el, origin, true));
      else {
        flushLinks();
        content.push(renderElement(el, origin));
      }
      continue;
    }
    const block = entry.block;
    const list = block.item?.split(':')[0];
    if (block.kind === 'text' && list && itemIndex(block.item) >= keepItems) {
      omitted++;
      if (!announced.has(list)) {
        announced.add(list);
        flushLinks();
        content.push(`(+${omittedByList.get(list)} text blocks of similar items omitted)`);
      }
      continue;
    }
    flushLinks();
    if (block.kind === 'heading') content.push(`${'#'.repeat(Math.min(block.level ?? 2, 4))} ${block.text}`);
    else if (block.kind === 'alert') content.push(`! ${block.text}`);
    else if (block.kind === 'table') content.push(...renderTable(block, maxTableRows));
    else {
      if (seenContent.has(block.text)) {
        omitted++;
        continue;
      }
      seenContent.add(block.text);
      content.push(clip(block.text, maxBlock));
      text.push({ region, text: block.text });
    }
  }
  flushLinks();

  const tabLine = context.tabs
    .map((t) => `[${t.tab}]${t.active ? '*' : ''} ${clip(t.title || t.url, 40)}`)
    .join(' · ');
  const shownUrl =
    options.homeOrigin && raw.url.startsWith(`${options.homeOrigin}/`)
      ? raw.url.slice(options.homeOrigin.length)
      : raw.url;
  const lines = [`${raw.title} | ${shownUrl}`];
  if (context.tabs.length > 1) lines.push(`tabs: ${tabLine}`);
  for (const event of context.events ?? []) lines.push(`event: ${event}`);
  const chromeKeys = [...chrome.keys()].sort(
    (a, b) =>
      REGION_ORDER.indexOf(a.split(':')[0] as string) - REGION_ORDER.indexOf(b.split(':')[0] as string),
  );
  const before = chromeKeys.filter((k) => ['header', 'nav'].includes(k.split(':')[0] as string));
  const after = chromeKeys.filter((k) => !before.includes(k));
  for (const key of before) lines.push(`[${key}] ${chrome.get(key)?.parts.join(' · ')}`);
  lines.push(...content);
  for (const key of after) lines.push(`[${key}] ${chrome.get(key)?.parts.join(' · ')}`);
  const below = raw.scroll.height - raw.scroll.y - raw.scroll.viewport;
  if (raw.scroll.y > 0 || below > 0) {
    lines.push(`scroll: ${raw.scroll.y}px from top, ${Math.max(0, below)}px below`);
  }

  return {
    url: raw.url,
    title: raw.title,
    tab: context.tab,
    tabs: context.tabs,
    elements,
    headings,
    text,
    tables,
    alerts,
    events: context.events ?? [],
    scroll: raw.scroll,
    stats: { domNodes: raw.nodeCount, textBlocks: raw.blocks.length, textBlocksOmitted: omitted },
    rendered: lines.join('\n'),
  };
}
