/**
 * The script the observer runs inside the page. It walks the DOM once and returns plain data:
 * interactive elements (tagged with a `data-chimera-ref` attribute so an id can find its element
 * again), headings, text blocks, tables and alerts, each with its landmark region.
 *
 * It is kept as source text rather than a function because bundlers and loaders (tsx, esbuild's
 * keepNames) inject helpers such as `__name` into functions, and a function passed to
 * `page.evaluate` is serialized with `toString()`: the helper would be undefined in the page.
 * The toolbelt's integration tests run it on real pages.
 */

/** Raw result of the page script (the observer turns it into ids and text). */
export interface RawPageElement {
  ref: string;
  role: string;
  name: string;
  tag: string;
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
  /** Index of the repeated-structure item it belongs to, if any (`list:item`). */
  item?: string;
  order: number;
}

export interface RawPageBlock {
  kind: 'heading' | 'text' | 'table' | 'alert';
  text: string;
  level?: number;
  rows?: string[][];
  rowCount?: number;
  region: string;
  regionLabel?: string;
  item?: string;
  order: number;
}

export interface RawPageSnapshot {
  doc: string;
  url: string;
  title: string;
  elements: RawPageElement[];
  blocks: RawPageBlock[];
  scroll: { y: number; height: number; viewport: number };
  nodeCount: number;
}

export interface PageScriptOptions {
  /** Longest name kept for an element (characters). */
  maxNameChars: number;
  /** Most options listed for a select. */
  maxOptions: number;
  /** Most table rows returned (header included). */
  maxTableRows: number;
  /** Fewest same-class siblings that count as a repeated structure (cards, comments). */
  repeatThreshold: number;
}

/**
 * Installed in every page before its own scripts: remembers controls the browser refused to
 * submit (constraint validation fires `invalid` and never sends the form).
 */
export const INIT_SCRIPT = String.raw`(() => {
  if (window.__chimeraInvalidInstalled) return;
  window.__chimeraInvalidInstalled = true;
  window.__chimeraInvalid = [];
  document.addEventListener('invalid', (event) => {
    const el = event.target;
    const label = (el.labels && el.labels[0] && el.labels[0].textContent) || el.getAttribute('aria-label') || el.name || el.tagName;
    window.__chimeraInvalid.push({ field: String(label).replace(/\s+/g, ' ').trim().slice(0, 60), message: el.validationMessage || 'invalid' });
  }, true);
})();`;

/** Returns and clears the blocked-submit records of the page. */
export const TAKE_INVALID_SCRIPT = String.raw`(() => { const v = window.__chimeraInvalid || []; window.__chimeraInvalid = []; return v; })()`;

export const PAGE_SCRIPT = String.raw`(options) => {
  const state = window.__chimeraRefs || (window.__chimeraRefs = { doc: Math.random().toString(36).slice(2, 8), next: 1 });
  const elements = [];
  const blocks = [];
  let order = 0;
  let nodeCount = 0;
  let listCounter = 0;
  const collapse = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'svg', 'HEAD', 'META', 'LINK', 'IFRAME', 'OBJECT', 'CANVAS']);
  const ROLE_INTERACTIVE = new Set(['button', 'link', 'checkbox', 'radio', 'switch', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'combobox', 'textbox', 'searchbox', 'slider', 'spinbutton', 'treeitem']);
  const TEXT_INPUT = new Set(['text', 'email', 'search', 'tel', 'url', 'password', 'number', 'date', 'time', 'datetime-local', 'month', 'week', '']);

  function implicitRole(el) {
    const tag = el.tagName;
    if (tag === 'A') return el.hasAttribute('href') ? 'link' : '';
    if (tag === 'BUTTON' || tag === 'SUMMARY') return 'button';
    if (tag === 'SELECT') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'TEXTAREA') return 'textbox';
    if (tag === 'INPUT') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (type === 'hidden') return '';
      if (type === 'checkbox') return 'checkbox';
      if (type === 'radio') return 'radio';
      if (type === 'range') return 'slider';
      if (type === 'number') return 'spinbutton';
      if (type === 'search') return 'searchbox';
      if (type === 'submit' || type === 'button' || type === 'reset' || type === 'image') return 'button';
      if (type === 'file') return 'button';
      if (type === 'color') return 'button';
      return 'textbox';
    }
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) return 'textbox';
    return '';
  }

  function roleOf(el) {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    return explicit || implicitRole(el);
  }

  function isInteractive(el, role) {
    if (ROLE_INTERACTIVE.has(role)) return true;
    const tabindex = el.getAttribute('tabindex');
    const focusable = tabindex !== null && Number(tabindex) >= 0;
    if (!focusable && !el.hasAttribute('onclick')) return false;
    // A focusable or clickable container (a scroll area, a card) is not one control: only small leaves are.
    if (el.tagName === 'MAIN' || el.tagName === 'BODY' || role) return false;
    if (el.querySelector('a, button, input, select, textarea, p, li, table, h1, h2, h3, h4, h5, h6')) return false;
    return textOf(el).length <= 80;
  }

  function textOf(el) {
    // Visible text of a subtree, without hidden parts or nested controls' labels.
    let out = '';
    const walk = (node) => {
      if (node.nodeType === 3) { out += node.nodeValue; return; }
      if (node.nodeType !== 1) return;
      if (SKIP.has(node.tagName) || node.getAttribute('aria-hidden') === 'true') return;
      if (node.tagName === 'IMG') { out += ' ' + (node.getAttribute('alt') || '') + ' '; return; }
      if (node.tagName === 'SELECT' || node.tagName === 'TEXTAREA') return;
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return;
      for (const child of node.childNodes) walk(child);
      if (style.display !== 'inline') out += ' ';
    };
    walk(el);
    return collapse(out);
  }

  function byIds(ids) {
    return collapse(ids.split(/\s+/).map((id) => { const n = document.getElementById(id); return n ? textOf(n) : ''; }).join(' '));
  }

  function nameOf(el, role) {
    const labelledby = el.getAttribute('aria-labelledby');
    if (labelledby) { const t = byIds(labelledby); if (t) return t; }
    const aria = collapse(el.getAttribute('aria-label'));
    if (aria) return aria;
    const tag = el.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') {
      const type = (el.getAttribute('type') || '').toLowerCase();
      if (tag === 'INPUT' && (type === 'submit' || type === 'button' || type === 'reset')) return collapse(el.value) || (type === 'submit' ? 'Submit' : type);
      if (el.labels && el.labels.length) {
        const t = collapse(Array.from(el.labels).map(textOf).join(' '));
        if (t) return t;
      }
      return collapse(el.getAttribute('placeholder') || el.getAttribute('title') || el.getAttribute('name') || '');
    }
    const text = textOf(el);
    if (text) return text;
    const img = el.querySelector('img[alt]');
    if (img) return collapse(img.getAttribute('alt'));
    return collapse(el.getAttribute('title') || '');
  }

  function describe(el, role, ctx) {
    let ref = el.getAttribute('data-chimera-ref');
    if (!ref || ref.split(':')[0] !== state.doc) {
      ref = state.doc + ':' + state.next++;
      el.setAttribute('data-chimera-ref', ref);
    }
    const item = { ref, role, name: clip(nameOf(el, role), options.maxNameChars), tag: el.tagName.toLowerCase(), region: ctx.region, order: order++ };
    if (ctx.regionLabel) item.regionLabel = ctx.regionLabel;
    if (ctx.item) item.item = ctx.item;
    const tag = el.tagName;
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (tag === 'INPUT' && (type === 'checkbox' || type === 'radio')) item.checked = el.indeterminate ? 'mixed' : el.checked;
    else if (role === 'checkbox' || role === 'radio' || role === 'switch' || role === 'menuitemcheckbox') {
      const c = el.getAttribute('aria-checked');
      item.checked = c === 'mixed' ? 'mixed' : c === 'true';
    }
    if ((tag === 'INPUT' && TEXT_INPUT.has(type)) || tag === 'TEXTAREA') {
      const v = el.value || '';
      if (v) item.value = type === 'password' ? '•'.repeat(Math.min(v.length, 8)) : clip(collapse(v), 80);
    } else if (tag === 'INPUT' && type === 'range') item.value = el.value;
    if (tag === 'SELECT') {
      const opts = Array.from(el.options);
      item.options = opts.slice(0, options.maxOptions).map((o) => clip(collapse(o.label || o.text), 40));
      item.optionCount = opts.length;
      const selected = opts.filter((o) => o.selected).map((o) => collapse(o.label || o.text));
      if (selected.length) item.value = selected.join(', ');
    }
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') item.disabled = true;
    if (el.required || el.getAttribute('aria-required') === 'true') item.required = true;
    try { if (el.getAttribute('aria-invalid') === 'true' || el.matches(':user-invalid')) item.invalid = true; } catch (e) {}
    const expanded = el.getAttribute('aria-expanded');
    if (expanded !== null) item.expanded = expanded === 'true';
    if (tag === 'A' && el.hasAttribute('href')) {
      item.href = el.href;
      if ((el.getAttribute('target') || '').toLowerCase() === '_blank') item.newTab = true;
    }
    if (el.form) item.form = collapse(el.form.getAttribute('aria-label') || el.form.getAttribute('name') || el.form.id || '');
    elements.push(item);
  }

  let buffer = '';
  let bufferCtx = null;
  function flush() {
    const text = collapse(buffer).replace(/^[·•|]+\s*|\s*[·•|]+$/g, '');
    // Separators alone (" · ", "|") carry nothing once their neighbours are elements.
    if (text && bufferCtx && /[\p{L}\p{N}]/u.test(text)) {
      const block = { kind: bufferCtx.alert ? 'alert' : 'text', text, region: bufferCtx.region, order: order++ };
      if (bufferCtx.regionLabel) block.regionLabel = bufferCtx.regionLabel;
      if (bufferCtx.item) block.item = bufferCtx.item;
      blocks.push(block);
    }
    buffer = '';
    bufferCtx = null;
  }
  function append(text, ctx) {
    if (ctx.suppressText) return;
    if (bufferCtx && (bufferCtx.region !== ctx.region || bufferCtx.item !== ctx.item || bufferCtx.alert !== ctx.alert)) flush();
    buffer += text;
    bufferCtx = ctx;
  }

  function regionOf(el, ctx) {
    const tag = el.tagName;
    const role = el.getAttribute('role');
    const label = collapse(el.getAttribute('aria-label') || '');
    if (tag === 'DIALOG' || role === 'dialog' || role === 'alertdialog') return { region: 'dialog', regionLabel: label };
    if (ctx.region === 'dialog') return null;
    if (role === 'banner' || (tag === 'HEADER' && !el.closest('article, section, aside, main, nav'))) return { region: 'header', regionLabel: label };
    if (tag === 'NAV' || role === 'navigation') {
      // A menu inside the footer or a sidebar stays part of it (where a link lives is information).
      if (ctx.region === 'footer' || ctx.region === 'aside') return { region: ctx.region, regionLabel: label || ctx.regionLabel };
      return { region: 'nav', regionLabel: label };
    }
    if (tag === 'MAIN' || role === 'main') return { region: 'main', regionLabel: '' };
    if (tag === 'ASIDE' || role === 'complementary') return { region: 'aside', regionLabel: label };
    if (role === 'contentinfo' || (tag === 'FOOTER' && !el.closest('article, section, aside, main, nav'))) return { region: 'footer', regionLabel: label };
    return null;
  }

  function table(el, ctx) {
    const rows = [];
    const all = Array.from(el.rows || []);
    for (const row of all.slice(0, options.maxTableRows)) {
      rows.push(Array.from(row.cells).slice(0, 12).map((c) => clip(textOf(c), 60)));
    }
    const caption = collapse((el.caption && textOf(el.caption)) || el.getAttribute('aria-label') || '');
    const block = { kind: 'table', text: caption, rows, rowCount: all.length, region: ctx.region, order: order++ };
    if (ctx.regionLabel) block.regionLabel = ctx.regionLabel;
    if (ctx.item) block.item = ctx.item;
    blocks.push(block);
  }

  function visit(node, ctx) {
    if (node.nodeType === 3) { append(node.nodeValue, ctx); return; }
    if (node.nodeType !== 1) return;
    nodeCount++;
    const el = node;
    if (SKIP.has(el.tagName)) return;
    if (el.getAttribute('aria-hidden') === 'true' || el.hasAttribute('inert')) return;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.contentVisibility === 'hidden') return;
    const invisible = style.visibility === 'hidden' || style.visibility === 'collapse';
    const region = regionOf(el, ctx);
    if (region) {
      flush();
      ctx = Object.assign({}, ctx, region);
    }
    const role = roleOf(el);
    if (!invisible && isInteractive(el, role) && !ctx.inControl) {
      flush();
      if (el.tagName !== 'INPUT' || (el.getAttribute('type') || '').toLowerCase() !== 'hidden') describe(el, role || 'button', ctx);
      // A control's text is its name: do not repeat it as text, but find controls nested in it.
      const inner = Object.assign({}, ctx, { suppressText: true, inControl: role !== 'link' && role !== 'button' ? false : true });
      for (const child of el.childNodes) visit(child, inner);
      if (el.shadowRoot) for (const child of el.shadowRoot.childNodes) visit(child, inner);
      return;
    }
    const tag = el.tagName;
    if (tag === 'IMG') {
      const alt = collapse(el.getAttribute('alt'));
      if (alt && !invisible) append(' ' + alt + ' ', ctx);
      return;
    }
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || tag === 'OPTION') return;
    const headingLevel = /^H([1-6])$/.exec(tag) ? Number(tag[1]) : role === 'heading' ? Number(el.getAttribute('aria-level') || 2) : 0;
    if (headingLevel && !invisible) {
      flush();
      const text = textOf(el);
      if (text) {
        const block = { kind: 'heading', text: clip(text, 160), level: headingLevel, region: ctx.region, order: order++ };
        if (ctx.regionLabel) block.regionLabel = ctx.regionLabel;
        if (ctx.item) block.item = ctx.item;
        blocks.push(block);
      }
      const inner = Object.assign({}, ctx, { suppressText: true });
      for (const child of el.children) visit(child, inner);
      return;
    }
    if (tag === 'TABLE' && !invisible && !ctx.suppressText) {
      flush();
      table(el, ctx);
      const inner = Object.assign({}, ctx, { suppressText: true });
      for (const child of el.children) visit(child, inner);
      return;
    }
    let childCtx = invisible ? Object.assign({}, ctx, { suppressText: true }) : ctx;
    if (role === 'alert' || role === 'status' || el.getAttribute('aria-live') === 'assertive') {
      flush();
      childCtx = Object.assign({}, childCtx, { alert: true });
    }
    if (tag === 'LABEL' && (el.control || el.querySelector('input, select, textarea'))) {
      childCtx = Object.assign({}, childCtx, { suppressText: true });
    }
    // Repeated structures: 'repeatThreshold' or more same-class element siblings are list items.
    let itemOf = null;
    if (!ctx.item && el.children.length >= options.repeatThreshold) {
      const counts = new Map();
      for (const child of el.children) {
        const cls = typeof child.className === 'string' ? child.className.trim().split(/\s+/)[0] : '';
        const key = cls ? child.tagName + '.' + cls : (child.tagName === 'LI' || child.tagName === 'ARTICLE' ? child.tagName : '');
        if (key) counts.set(key, (counts.get(key) || 0) + 1);
      }
      for (const [key, count] of counts) {
        if (count >= options.repeatThreshold) { itemOf = itemOf || new Map(); itemOf.set(key, 'L' + listCounter++); }
      }
    }
    const block = style.display !== 'inline' && style.display !== 'contents';
    if (block) flush();
    let index = new Map();
    for (const child of el.childNodes) {
      let cctx = childCtx;
      if (itemOf && child.nodeType === 1) {
        const cls = typeof child.className === 'string' ? child.className.trim().split(/\s+/)[0] : '';
        const key = cls ? child.tagName + '.' + cls : child.tagName;
        const list = itemOf.get(key);
        if (list) {
          const i = index.get(list) || 0;
          index.set(list, i + 1);
          cctx = Object.assign({}, childCtx, { item: list + ':' + i });
          flush();
        }
      }
      visit(child, cctx);
      if (cctx !== childCtx) flush();
    }
    if (el.shadowRoot) for (const child of el.shadowRoot.childNodes) visit(child, childCtx);
    if (block) flush();
  }

  if (document.body) visit(document.body, { region: 'body', regionLabel: '' });
  flush();
  return {
    doc: state.doc,
    url: location.href,
    title: document.title,
    elements,
    blocks,
    scroll: { y: Math.round(window.scrollY), height: Math.round(document.documentElement.scrollHeight), viewport: window.innerHeight },
    nodeCount,
  };
}`;
