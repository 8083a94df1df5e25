import { describe, expect, it } from 'vitest';
import { summarizePage } from './page-observation';
import type { RawPageBlock, RawPageElement, RawPageSnapshot } from './page-script';

let order = 0;
const el = (e: Partial<RawPageElement> & Pick<RawPageElement, 'ref' | 'role' | 'name'>): RawPageElement => ({
  tag: 'a',
  region: 'main',
  order: order++,
  ...e,
});
const block = (b: Partial<RawPageBlock> & Pick<RawPageBlock, 'kind' | 'text'>): RawPageBlock => ({
  region: 'main',
  order: order++,
  ...b,
});

function snapshot(elements: RawPageElement[], blocks: RawPageBlock[]): RawPageSnapshot {
  return {
    doc: 'd1',
    url: 'http://127.0.0.1:8080/shop/checkout',
    title: 'Checkout - Shop',
    elements,
    blocks,
    scroll: { y: 0, height: 800, viewport: 800 },
    nodeCount: 100,
  };
}

describe('summarizePage', () => {
  it('renders controls with ids and state, headings and text in document order, chrome on one line', () => {
    order = 0;
    const raw = snapshot(
      [
        el({ ref: 'd1:1', role: 'link', name: 'Home', region: 'nav', regionLabel: 'Main' }),
        el({
          ref: 'd1:2',
          role: 'textbox',
          name: 'Email',
          value: 'ann@x.org',
          required: true,
          form: 'Checkout',
        }),
        el({
          ref: 'd1:3',
          role: 'combobox',
          name: 'Country',
          value: 'Norway',
          options: ['Norway', 'Sweden'],
          optionCount: 2,
          form: 'Checkout',
        }),
        el({ ref: 'd1:4', role: 'checkbox', name: 'I accept', checked: false, form: 'Checkout' }),
        el({ ref: 'd1:5', role: 'button', name: 'Place order', form: 'Checkout', disabled: true }),
        el({ ref: 'd1:6', role: 'link', name: 'Help', href: 'http://evil.example/x' }),
      ],
      [
        block({ kind: 'heading', text: 'Checkout', level: 1 }),
        block({ kind: 'alert', text: 'Email is required.' }),
      ],
    );
    // Interleave by order: put the heading and alert first.
    raw.blocks[0]!.order = -2;
    raw.blocks[1]!.order = -1;
    let next = 1;
    const observation = summarizePage(raw, () => `e${next++}`, {
      tab: 1,
      tabs: [{ tab: 1, title: 'Checkout', url: raw.url, active: true }],
    });
    expect(observation.rendered.split('\n')).toEqual([
      'Checkout - Shop | http://127.0.0.1:8080/shop/checkout',
      '[nav:Main] e1 Home',
      '# Checkout',
      '! Email is required.',
      'form "Checkout":',
      'e2 textbox "Email" = "ann@x.org" *',
      'e3 combobox "Country" = "Norway" {Norway|Sweden}',
      'e4 checkbox "I accept" [ ]',
      'e5 button "Place order" (disabled)',
      'e6 Help ↗evil.example',
    ]);
    expect(observation.alerts).toEqual(['Email is required.']);
    expect(observation.elements.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  });

  it('keeps the text of the first items of a repeated structure and every control in it', () => {
    order = 0;
    const elements: RawPageElement[] = [];
    const blocks: RawPageBlock[] = [];
    for (let i = 0; i < 10; i++) {
      blocks.push(block({ kind: 'text', text: `Comment number ${i}`, item: `L0:${i}` }));
      elements.push(el({ ref: `d1:${i}`, role: 'button', name: `Reply ${i}`, item: `L0:${i}` }));
    }
    const observation = summarizePage(snapshot(elements, blocks), (ref) => `e${ref.split(':')[1]}`, {
      tab: 1,
      tabs: [],
    });
    expect(observation.rendered).toContain('Comment number 2');
    expect(observation.rendered).not.toContain('Comment number 3');
    expect(observation.rendered).toContain('(+7 text blocks of similar items omitted)');
    for (let i = 0; i < 10; i++) expect(observation.rendered).toContain(`e${i} button "Reply ${i}"`);
    expect(observation.stats.textBlocksOmitted).toBe(7);
  });

  it('puts runs of links on one line, drops repeated text, and lists tabs and events', () => {
    order = 0;
    const links = Array.from({ length: 4 }, (_, i) =>
      el({ ref: `d1:${i}`, role: 'link', name: `Page ${i}` }),
    );
    const blocks = [block({ kind: 'text', text: 'Same words' }), block({ kind: 'text', text: 'Same words' })];
    const observation = summarizePage(snapshot(links, blocks), (ref) => `e${ref.split(':')[1]}`, {
      tab: 2,
      tabs: [
        { tab: 1, title: 'One', url: 'http://a/1', active: false },
        { tab: 2, title: 'Two', url: 'http://a/2', active: true },
      ],
      events: ['a link opened tab 2; it is now the active tab'],
    });
    expect(observation.rendered).toContain('links: e0 Page 0 · e1 Page 1 · e2 Page 2 · e3 Page 3');
    expect(observation.rendered.match(/Same words/g)).toHaveLength(1);
    expect(observation.rendered).toContain('tabs: [1] One · [2]* Two');
    expect(observation.rendered).toContain('event: a link opened tab 2');
  });
});
