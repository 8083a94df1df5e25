import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { stateIdFor } from './block-states';
import type { RegistryBlock } from './squid-types';

const require = createRequire(import.meta.url);
const blocks = (require('minecraft-data')('1.21.4') as { blocksByName: Record<string, RegistryBlock> })
  .blocksByName;

describe('stateIdFor', () => {
  it('gives the default state without properties', () => {
    expect(stateIdFor(blocks.oak_log!)).toBe(blocks.oak_log!.defaultState);
    expect(stateIdFor(blocks.stone!)).toBe(blocks.stone!.defaultState);
  });

  it('numbers states like the game (last property fastest)', () => {
    const log = blocks.oak_log!;
    expect(stateIdFor(log, { axis: 'x' })).toBe(log.minStateId);
    expect(stateIdFor(log, { axis: 'z' })).toBe(log.minStateId + 2);
    const leaves = blocks.oak_leaves!;
    // distance 7 (index 6), persistent true (index 0), waterlogged false (index 1): 6*4 + 0*2 + 1.
    expect(stateIdFor(leaves, { persistent: 'true' })).toBe(leaves.minStateId + 25);
  });

  it('rejects values a block does not have', () => {
    expect(() => stateIdFor(blocks.oak_log!, { axis: 'w' })).toThrow(/oak_log has no axis=w/);
  });
});
