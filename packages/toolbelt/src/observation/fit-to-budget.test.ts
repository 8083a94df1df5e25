import { describe, expect, it } from 'vitest';
import { countTokens, fitToBudget } from '../index';

const page = {
  url: 'http://127.0.0.1:8080/shop',
  title: 'Shop',
  headings: ['Products', 'Cart', 'Footer'],
  elements: Array.from({ length: 120 }, (_, i) => ({
    id: `e${i + 1}`,
    role: 'link',
    name: `Product number ${i + 1}`,
  })),
  text: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(80),
  debug: { timings: Array.from({ length: 50 }, (_, i) => i * 1.5) },
};

describe('fitToBudget', () => {
  it('returns small observations untouched', () => {
    const result = fitToBudget({ a: 1 }, { maxTokens: 50 });
    expect(result).toEqual({
      text: '{"a":1}',
      tokens: countTokens('{"a":1}'),
      truncated: false,
      omitted: [],
    });
  });

  it('fits a large observation into the budget and keeps it valid JSON with the same structure', () => {
    // #region budget
    const result = fitToBudget(page, {
      maxTokens: 400,
      // Keep the interactive elements longest; drop debug data first.
      priorities: { elements: 3, text: 0.5, debug: 0 },
    });
    // result.text is compact JSON of at most 400 o200k tokens, e.g.
    // {"url":"…","title":"Shop","headings":[…],"elements":[{"id":"e1",…},…,"…+100 more"],"text":"Lorem ipsum…"}
    // result.omitted: ['elements[20/120]', 'text…', '-debug']
    // #endregion
    expect(result.truncated).toBe(true);
    expect(result.tokens).toBeLessThanOrEqual(400);
    expect(countTokens(result.text)).toBe(result.tokens);
    const parsed = JSON.parse(result.text);
    expect(Object.keys(parsed)).toEqual(['url', 'title', 'headings', 'elements', 'text']);
    expect(parsed.url).toBe(page.url);
    expect(parsed.elements.at(-1)).toMatch(/^…\+\d+ more$/);
    expect(parsed.elements.length).toBeGreaterThan(10);
    expect(result.omitted).toContain('-debug');
    expect(result.omitted).not.toContain('-debug.timings');
    expect(result.omitted.some((o) => o.startsWith('elements['))).toBe(true);
    // The budget is used, not wasted: most of it is filled.
    expect(result.tokens).toBeGreaterThan(300);
  });

  it('shrinks higher-priority fields less', () => {
    const value = { a: 'alpha '.repeat(300), b: 'bravo '.repeat(300) };
    const parsed = JSON.parse(fitToBudget(value, { maxTokens: 150, priorities: { a: 4 } }).text);
    expect(parsed.a.length).toBeGreaterThan(parsed.b.length * 2);
  });

  it('drops low-priority fields when shrinking alone is not enough', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, `value ${i}`]));
    const result = fitToBudget({ keep: 'this', ...many }, { maxTokens: 30, priorities: { keep: 5 } });
    expect(result.tokens).toBeLessThanOrEqual(30);
    expect(JSON.parse(result.text).keep).toBe('this');
    expect(result.omitted.filter((o) => o.startsWith('-')).length).toBeGreaterThan(10);
  });

  it('cuts the text itself as a last resort, and says so', () => {
    const result = fitToBudget('word '.repeat(500), { maxTokens: 5 });
    expect(result.omitted).toEqual(['*structure']);
    expect(result.tokens).toBeLessThanOrEqual(5);
  });
});
