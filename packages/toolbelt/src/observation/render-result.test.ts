import { describe, expect, it } from 'vitest';
import { realisticTools } from '../__fixtures__/realistic-tools';
import { countTokens, renderResult, ToolAbstractionLayer } from '../index';

describe('renderResult', () => {
  const { registry } = realisticTools();
  const tal = new ToolAbstractionLayer({
    registry,
    permissions: { rateLimits: { mc_go_to: { maxCalls: 0, perMs: 1000 } } },
  });

  it('renders a success as compact JSON and an error as code plus message', async () => {
    // #region render
    const ok = await tal.dispatch({ tool: 'add', args: { a: 1, b: 2 } });
    renderResult(ok); // '{"sum":3}'
    const bad = await tal.dispatch({ tool: 'add', args: { a: 1 } });
    renderResult(bad);
    // 'error invalid_arguments: Invalid arguments for "add": $.b: required but missing. Arguments must match {a: number, b: number}.'
    // #endregion
    expect(renderResult(ok)).toBe('{"sum":3}');
    expect(renderResult(bad)).toBe(
      'error invalid_arguments: Invalid arguments for "add": $.b: required but missing. Arguments must match {a: number, b: number}.',
    );
  });

  it('keeps details that add to the message', async () => {
    const limited = await tal.dispatch({ tool: 'mc_go_to', args: { x: 1, y: 2, z: 3 } });
    expect(renderResult(limited)).toMatch(
      /^error rate_limited: .* \{"retryAfterMs":\d+,"maxCalls":0,"perMs":1000\}$/,
    );
  });

  it('fits large values into a token budget', () => {
    const big = {
      ok: true as const,
      tool: 't',
      durationMs: 1,
      value: { rows: Array.from({ length: 500 }, (_, i) => `row ${i}`) },
    };
    const text = renderResult(big, { maxTokens: 60 });
    expect(countTokens(text)).toBeLessThanOrEqual(60);
    expect(JSON.parse(text).rows.at(-1)).toMatch(/more$/);
    const long = { ...big, value: 'word '.repeat(1000) };
    expect(countTokens(renderResult(long, { maxTokens: 30 }))).toBeLessThanOrEqual(30);
  });
});
