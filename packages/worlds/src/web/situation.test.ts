import type { ObservedElement } from '@chimera/toolbelt/playwright';
import { describe, expect, it } from 'vitest';
import { webSituation, webSituationBackoff, webSituationClass } from './situation';

const el = (role: string, name: string, extra: Partial<ObservedElement> = {}): ObservedElement => ({
  id: 'e1',
  role,
  name,
  region: 'main',
  ...extra,
});

describe('webSituation', () => {
  const checkout = (customer: string, buttons: string[], terms: boolean, alerts: string[] = []) =>
    webSituation({
      site: 'cedar',
      url: `http://127.0.0.1:4000/cedar/checkout?ref=${customer}`,
      elements: [
        el('textbox', 'Full name', { value: customer }),
        el('checkbox', 'I have read the terms', { checked: terms }),
        ...buttons.map((b) => el('button', b)),
        el('link', `Product of ${customer}`),
        el('button', 'Search', { region: 'header' }),
      ],
      alerts,
    });

  it('is the same for the same kind of state across task instances', () => {
    // Another customer, product link, query string and button order: the same situation.
    expect(checkout('Ann', ['Submit', 'Confirm'], true)).toBe(checkout('Ben', ['Confirm', 'Submit'], true));
    expect(checkout('Ann', ['Submit'], true)).toMatch(/^cedar:\/cedar\/checkout#[0-9a-f]{8}$/);
  });

  it('changes when a control changes state or an alert appears', () => {
    const base = checkout('Ann', ['Submit'], false);
    expect(checkout('Ann', ['Submit'], true)).not.toBe(base);
    expect(checkout('Ann', ['Submit'], false, ['Please accept the terms first.'])).not.toBe(base);
    const empty = webSituation({
      site: 'cedar',
      url: 'http://h/cedar/checkout',
      elements: [el('textbox', 'City', { value: '' })],
      alerts: [],
    });
    const filled = webSituation({
      site: 'cedar',
      url: 'http://h/cedar/checkout',
      elements: [el('textbox', 'City', { value: 'Oslo' })],
      alerts: [],
    });
    expect(filled).not.toBe(empty);
  });
});

describe('webSituationBackoff', () => {
  const keys = (terms: boolean, alerts: string[] = [], site = 'cedar') =>
    webSituationBackoff({
      site,
      url: `http://h/${site}/checkout?x=1`,
      elements: [el('checkbox', 'I have read the terms', { checked: terms }), el('button', 'Done')],
      alerts,
    });

  it('drops the alerts first, then the control states, and keeps the site', () => {
    const [plain, page] = keys(false);
    expect(page).toBe('cedar:/cedar/checkout');
    // A rejection's alert: a new exact situation, the same first coarser level.
    expect(keys(false, ['Please accept the terms first.'])).toEqual([plain, page]);
    // A ticked box: a new first level, the same page.
    const ticked = keys(true);
    expect(ticked[0]).not.toBe(plain);
    expect(ticked[1]).toBe(page);
    expect(keys(false, [], 'pixel')[1]).toBe('pixel:/pixel/checkout');
  });
});

describe('webSituationClass', () => {
  it('drops the site and ids from the path', () => {
    expect(webSituationClass({ site: 'cedar', url: 'http://h/cedar/checkout' })).toBe('/checkout');
    expect(webSituationClass({ site: 'pixel', url: 'http://h/pixel/checkout?x=1' })).toBe('/checkout');
    expect(webSituationClass({ site: 'pixel', url: 'http://h/pixel/product/p123' })).toBe('/product/:id');
    expect(webSituationClass({ site: 'pixel', url: 'http://h/pixel/' })).toBe('/');
  });
});
