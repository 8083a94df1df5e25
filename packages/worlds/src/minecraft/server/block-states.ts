/**
 * Block state ids from a block name and property values, the way the game numbers them
 * (the last property varies fastest). Used to place logs, leaves and blueprint blocks.
 */
import type { RegistryBlock } from './squid-types';

export function stateIdFor(block: RegistryBlock, properties: Record<string, string> = {}): number {
  const states = block.states ?? [];
  if (states.length === 0) return block.defaultState;
  let rest = block.defaultState - block.minStateId;
  const values: number[] = new Array(states.length).fill(0);
  for (let i = states.length - 1; i >= 0; i--) {
    const state = states[i]!;
    values[i] = rest % state.num_values;
    rest = Math.floor(rest / state.num_values);
  }
  for (let i = 0; i < states.length; i++) {
    const state = states[i]!;
    const wanted = properties[state.name];
    if (wanted === undefined) continue;
    let index: number;
    if (state.type === 'enum') index = state.values?.indexOf(wanted) ?? -1;
    else if (state.type === 'bool') index = wanted === 'true' ? 0 : wanted === 'false' ? 1 : -1;
    else index = Number.parseInt(wanted, 10) - Number.parseInt(state.values?.[0] ?? '0', 10);
    if (index < 0 || index >= state.num_values || Number.isNaN(index)) {
      throw new Error(`block ${block.name} has no ${state.name}=${wanted}`);
    }
    values[i] = index;
  }
  let id = 0;
  for (let i = 0; i < states.length; i++) id = id * states[i]!.num_values + values[i]!;
  return block.minStateId + id;
}
