import { describe, expect, it } from 'vitest';
import { realisticTools } from './__fixtures__/realistic-tools';
import { compactJson, countTokens, toMcpTool, toolCatalog } from './index';

describe('toolCatalog', () => {
  const { registry } = realisticTools();

  it('lists one compact line per tool', () => {
    // #region catalog
    const catalog = toolCatalog(registry.list({ tag: 'minecraft' }));
    // mc_craft_item({item: "wooden_pickaxe"|"crafting_table"|"stick"|"oak_planks", count?: integer}) -> {crafted: integer}: Craft an item at a crafting table in range.
    // mc_go_to({x: number, y: number, z: number, range?: number}): Walk to a block position.
    // #endregion
    expect(catalog.split('\n')).toEqual([
      'mc_craft_item({item: "wooden_pickaxe"|"crafting_table"|"stick"|"oak_planks", count?: integer}) -> {crafted: integer}: Craft an item at a crafting table in range.',
      'mc_go_to({x: number, y: number, z: number, range?: number}): Walk to a block position.',
    ]);
  });

  it('costs far fewer tokens than the MCP tool list', () => {
    const tools = registry.list();
    const catalogTokens = countTokens(toolCatalog(tools));
    const mcpTokens = countTokens(compactJson(tools.map(toMcpTool)));
    expect(catalogTokens).toBeLessThan(mcpTokens / 2);
  });
});
