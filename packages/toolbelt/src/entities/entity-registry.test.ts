import { describe, expect, it } from 'vitest';
import { EntityRegistry, StaleEntityError, ToolCallError } from '../index';

describe('EntityRegistry', () => {
  it('gives the same short id to the same key within a scope version', () => {
    // #region entities
    const entities = new EntityRegistry();
    const buy = entities.assign('tab-1', 'button "Buy now"', { selector: '#buy' });
    // buy === 'e1'; the model writes `click e1` instead of describing the button again.
    entities.assign('tab-1', 'button "Buy now"'); // 'e1' again
    entities.resolve('tab-1', buy); // { selector: '#buy' }

    entities.newVersion('tab-1'); // the page re-rendered: every id of tab-1 is now stale
    entities.tryResolve('tab-1', buy);
    // { ok: false, error: StaleEntityError('e1 is stale: it came from an earlier view of tab-1 ...') }
    // #endregion
    expect(buy).toBe('e1');
    expect(entities.assign('tab-1', 'link "Home"')).toBe('e2');
    const resolution = entities.tryResolve('tab-1', buy);
    expect(resolution.ok).toBe(false);
    if (!resolution.ok) {
      expect(resolution.error.reason).toBe('stale');
      expect(resolution.error.message).toMatch(/^e1 is stale: .* Observe again and use the new ids\.$/);
    }
  });

  it('stores and updates values, and reports keys', () => {
    const entities = new EntityRegistry();
    const id = entities.assign('world', 'zombie#41', { hp: 20 });
    entities.assign('world', 'zombie#41', { hp: 12 });
    expect(entities.resolve('world', id)).toEqual({ hp: 12 });
    expect(entities.keyOf('world', id)).toBe('zombie#41');
    expect(entities.size('world')).toBe(1);
  });

  it('issues new ids after a version bump and never reuses ids', () => {
    const entities = new EntityRegistry({ prefix: 'm' });
    const first = entities.assign('tab', 'k');
    entities.newVersion('tab');
    const second = entities.assign('tab', 'k');
    expect(first).toBe('m1');
    expect(second).toBe('m2');
    expect(entities.version('tab')).toBe(2);
  });

  it('detects an id from another scope instead of resolving it', () => {
    const entities = new EntityRegistry();
    const inTab1 = entities.assign('tab-1', 'button');
    entities.assign('tab-2', 'button');
    expect(() => entities.resolve('tab-2', inTab1)).toThrow(/e1 belongs to tab-1, not tab-2/);
  });

  it('throws a StaleEntityError that maps to the stale_entity code', () => {
    const entities = new EntityRegistry();
    entities.assign('tab', 'a');
    entities.clear('tab');
    let thrown: unknown;
    try {
      entities.resolve('tab', 'e1');
    } catch (error) {
      thrown = error;
    }
    expect(StaleEntityError.isInstance(thrown)).toBe(true);
    expect(ToolCallError.isInstance(thrown)).toBe(true);
    expect((thrown as StaleEntityError).toInfo()).toMatchObject({
      code: 'stale_entity',
      details: { reason: 'stale' },
    });
    expect(() => entities.resolve('tab', 'e999')).toThrow(/not an id from any observation/);
  });

  it('forgets the oldest retired ids beyond its limit', () => {
    const entities = new EntityRegistry({ retiredLimit: 2 });
    for (let i = 0; i < 4; i++) entities.assign('tab', `k${i}`);
    entities.newVersion('tab');
    expect(entities.tryResolve('tab', 'e1')).toMatchObject({ ok: false, error: { reason: 'unknown' } });
    expect(entities.tryResolve('tab', 'e4')).toMatchObject({ ok: false, error: { reason: 'stale' } });
  });

  it('restart numbers from e1 again and forgets every earlier id', () => {
    const entities = new EntityRegistry();
    entities.assign('world', 'entity:41');
    entities.assign('world', 'entity:42', 'zombie');
    entities.restart();
    expect(entities.size('world')).toBe(0);
    expect(entities.tryResolve('world', 'e2')).toMatchObject({ ok: false, error: { reason: 'unknown' } });
    // Whatever the first episode saw, the next one's first entity is e1.
    expect(entities.assign('world', 'entity:99', 'player')).toBe('e1');
    expect(entities.resolve('world', 'e1')).toBe('player');
  });
});
