/**
 * Every tool of @chimera/toolbelt/mineflayer against the real embedded server with real bots,
 * dispatched through the TAL; effects are checked on the server's side.
 */
import { ToolAbstractionLayer, ToolRegistry } from '@chimera/toolbelt';
import {
  type ActionReport,
  connectBot,
  createMineflayerAdapter,
  type MineflayerAdapter,
  observeBot,
} from '@chimera/toolbelt/mineflayer';
import { type MinecraftServer, startMinecraftServer } from '@chimera/worlds/minecraft';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: MinecraftServer;
let alice: MineflayerAdapter;
let bob: MineflayerAdapter;
let tal: ToolAbstractionLayer;

const tree = (x: number, z: number) => [0, 1, 2, 3].map((i) => ({ x, y: 5 + i, z, name: 'oak_log' }));

async function call(tool: string, args: Record<string, unknown>): Promise<ActionReport> {
  const result = await tal.dispatch({ tool, args });
  if (!result.ok) throw new Error(`${tool} failed: ${JSON.stringify(result.error)}`);
  return result.value as ActionReport;
}

beforeAll(async () => {
  // #region mineflayer-tools
  server = await startMinecraftServer({ hasteLevel: 50 });
  const bot = await connectBot({ port: server.port, username: 'alice' });
  alice = createMineflayerAdapter(bot);
  tal = new ToolAbstractionLayer({ registry: new ToolRegistry(alice.tools) });
  const result = await tal.dispatch({ tool: 'craftable_items', args: {} });
  const text = alice.render(alice.observe()); // "alice at 0.5,5,0.5 hp 20 ...\ninventory: empty\n..."
  // #endregion
  expect(result.ok).toBe(true);
  expect(text).toContain('inventory: empty');
  bob = createMineflayerAdapter(await connectBot({ port: server.port, username: 'bob' }));
  await server.teleport('bob', { x: -3.5, y: 5, z: -3.5 });
  for (let i = 0; i < 100 && bob.observe().position[0] !== -3.5; i++)
    await new Promise((r) => setTimeout(r, 50));
}, 90_000);

afterAll(async () => {
  alice?.state.bot.quit();
  bob?.state.bot.quit();
  if (server) expect((await server.stop()).clean).toBe(true);
}, 30_000);

describe('the embedded server', () => {
  it('spawns every player at the same place and refuses bad requests clearly', async () => {
    expect(alice.observe().position).toEqual([0.5, 5, 0.5]);
    await expect(server.setBlocks([{ x: 0, y: 5, z: 0, name: 'unobtainium' }])).rejects.toThrow(
      "server refused the request: unknown block 'unobtainium'",
    );
    await expect(server.inventory('carol')).rejects.toThrow('no player named carol is connected');
  });

  it("gives positions and distances in whole blocks with precision 'block', whatever the spot inside the block", async () => {
    await server.teleport('bob', { x: -3.2, y: 5, z: -3.9 });
    await expect.poll(() => bob.state.bot.entity.position.x).toBeCloseTo(-3.2, 1);
    const fine = observeBot(bob.state);
    const coarse = observeBot(bob.state, { precision: 'block' });
    expect(fine.position).toEqual([-3.2, 5, -3.9]);
    expect(coarse.position).toEqual([-4, 5, -4]);
    const alicePos = coarse.nearbyEntities.find((e) => e.name === 'alice')!;
    expect(alicePos.position).toEqual([0, 5, 0]);
    // From the center of bob's block (-3.5, 5, -3.5) to the center of alice's (0.5, 5, 0.5).
    expect(alicePos.distance).toBe(Math.round(Math.hypot(4, 4)));
    for (const b of coarse.nearbyBlocks) expect(Number.isInteger(b.distance)).toBe(true);
    // Another spot inside the same block: the same observation.
    await server.teleport('bob', { x: -3.8, y: 5, z: -3.1 });
    await expect.poll(() => bob.state.bot.entity.position.x).toBeCloseTo(-3.8, 1);
    expect(observeBot(bob.state, { precision: 'block' })).toEqual(coarse);
    await server.teleport('bob', { x: -3.5, y: 5, z: -3.5 });
    await expect.poll(() => bob.state.bot.entity.position.x).toBeCloseTo(-3.5, 1);
  }, 30_000);

  it('keeps every player connected when one moves far at once (1.21.4 position packets)', async () => {
    await server.teleport('bob', { x: 24.5, y: 5, z: 0.5 });
    await expect.poll(() => alice.state.bot.players.bob?.entity?.position.x).toBeCloseTo(24.5, 0);
    await server.teleport('bob', { x: -3.5, y: 5, z: -3.5 });
    await expect.poll(() => alice.state.bot.players.bob?.entity?.position.x).toBeCloseTo(-3.5, 0);
    expect((await server.players()).map((p) => p.username).sort()).toEqual(['alice', 'bob']);
  }, 30_000);
});

describe('mineflayer tools on the embedded server', () => {
  it('collect_blocks mines logs, picks the drops up, and reports what changed', async () => {
    await server.setBlocks(tree(4, 2));
    await expect.poll(() => alice.observe().nearbyBlocks.some((b) => b.name === 'oak_log')).toBe(true);
    const report = await call('collect_blocks', { block: 'oak_log', count: 2 });
    expect(report.gained).toEqual({ oak_log: 2 });
    expect(report.blocksChanged.filter((c) => c.from === 'oak_log' && c.to === 'air')).toHaveLength(2);
    expect((await server.inventory('alice')).oak_log).toBe(2);
  }, 30_000);

  it('craft_item builds the recipe chain up to a wooden pickaxe, placing a crafting table', async () => {
    await server.setInventory('alice', { oak_log: 3 });
    await expect.poll(() => alice.observe().inventory.oak_log ?? 0).toBe(3);
    const missing = await tal.dispatch({ tool: 'craft_item', args: { item: 'wooden_pickaxe' } });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'handler_error', details: { missing: { oak_planks: 3, stick: 2 } } },
    });
    expect((await call('craft_item', { item: 'oak_planks', times: 3 })).gained).toEqual({ oak_planks: 12 });
    expect((await call('craft_item', { item: 'stick' })).gained).toEqual({ stick: 4 });
    const noTable = await tal.dispatch({ tool: 'craft_item', args: { item: 'wooden_pickaxe' } });
    expect(noTable).toMatchObject({ ok: false, error: { details: { needsCraftingTable: true } } });
    await call('craft_item', { item: 'crafting_table' });
    const pickaxe = await call('craft_item', { item: 'wooden_pickaxe' });
    expect(pickaxe.gained).toEqual({ wooden_pickaxe: 1 });
    expect(pickaxe.blocksChanged).toEqual([expect.objectContaining({ from: 'air', to: 'crafting_table' })]);
    // 12 planks - 2 for sticks - 4 for the table - 3 for the pickaxe.
    expect(await server.inventory('alice')).toEqual({ oak_planks: 3, stick: 2, wooden_pickaxe: 1 });
    const craftable = await tal.dispatch({ tool: 'craftable_items', args: {} });
    expect(craftable.ok && (craftable.value as { tableAvailable: boolean }).tableAvailable).toBe(true);
  }, 45_000);

  it('equip, place_block and stone that needs the pickaxe', async () => {
    await server.fill({ x: -2, y: 5, z: 3 }, { x: -1, y: 5, z: 3 }, 'stone');
    await expect.poll(() => alice.observe().nearbyBlocks.some((b) => b.name === 'stone')).toBe(true);
    await server.setInventory('alice', { cobblestone: 1 });
    await expect.poll(() => alice.observe().inventory.cobblestone ?? 0).toBe(1);
    const byHand = await tal.dispatch({ tool: 'collect_blocks', args: { block: 'stone', count: 1 } });
    expect(byHand).toMatchObject({
      ok: false,
      error: { details: { requires: expect.arrayContaining(['wooden_pickaxe']) } },
    });
    const placed = await call('place_block', { block: 'cobblestone', x: 2, y: 5, z: -2 });
    expect(placed.lost).toEqual({ cobblestone: 1 });
    expect(await server.blockAt({ x: 2, y: 5, z: -2 })).toBe('cobblestone');
    await server.setInventory('alice', { wooden_pickaxe: 1 });
    await expect.poll(() => alice.observe().inventory.wooden_pickaxe ?? 0).toBe(1);
    expect((await call('equip', { item: 'wooden_pickaxe' })).summary).toBe('now holding wooden_pickaxe');
    expect((await call('collect_blocks', { block: 'stone', count: 2 })).gained).toEqual({ cobblestone: 2 });
  }, 45_000);

  it('go_to_position, go_to_block and go_to_player walk there', async () => {
    expect((await call('go_to_position', { x: 6, y: 5, z: -4, range: 1 })).position).toEqual([
      expect.closeTo(6, 1),
      5,
      expect.closeTo(-4, 1),
    ]);
    const toTable = await call('go_to_block', { block: 'crafting_table', range: 2 });
    expect(toTable.summary).toMatch(/arrived near crafting_table/);
    await call('go_to_player', { player: 'bob', distance: 2 });
    const [me, them] = [alice.state.bot.entity.position, bob.state.bot.entity.position];
    expect(me.distanceTo(them)).toBeLessThan(3.5);
  }, 45_000);

  it('give_item hands items to another bot, chat is heard, and the bots see each other', async () => {
    await server.setInventory('alice', { oak_planks: 3 });
    await expect.poll(() => alice.observe().inventory.oak_planks ?? 0).toBe(3);
    const give = await call('give_item', { player: 'bob', item: 'oak_planks', count: 3 });
    expect(give.summary).toBe('gave 3 oak_planks to bob');
    expect(await server.inventory('bob')).toEqual({ oak_planks: 3 });
    await call('chat', { message: 'the planks are yours', to: 'bob' });
    await expect
      .poll(() => bob.observe().chat)
      .toEqual([{ from: 'alice', message: '@bob the planks are yours' }]);
    const seen = await tal.dispatch({ tool: 'nearby_entities', args: {} });
    expect(seen.ok && seen.value).toMatchObject({
      entities: [{ kind: 'player', name: 'bob', id: expect.stringMatching(/^e\d+$/) }],
    });
  }, 45_000);

  it('attack hits a mob (server-side health drops), drop_item and the queries', async () => {
    const pig = await server.spawnMob('pig', { x: 1.5, y: 5, z: 1.5 });
    await expect.poll(() => alice.observe().nearbyEntities.some((e) => e.name === 'pig')).toBe(true);
    const id = alice.observe().nearbyEntities.find((e) => e.name === 'pig')!.id;
    expect((await call('attack', { target: id, hits: 3 })).summary).toMatch(/^hit pig 3 times/);
    const [state] = (await server.entities({ x: 0, y: 5, z: 0 }, 32)).filter((e) => e.id === pig);
    expect(state?.health).toBe(17);

    await server.setInventory('alice', { stick: 2 });
    await expect.poll(() => alice.observe().inventory.stick ?? 0).toBe(2);
    expect((await call('drop_item', { item: 'stick', count: 1 })).lost).toEqual({ stick: 1 });
    const stats = await tal.dispatch({ tool: 'stats', args: {} });
    expect(stats.ok && stats.value).toMatchObject({ health: 20, food: 20, time: 6000, gameMode: 'survival' });
    const inventory = await tal.dispatch({ tool: 'inventory', args: {} });
    expect(inventory.ok && inventory.value).toEqual({ items: { stick: 1 } });
    const blocks = await tal.dispatch({ tool: 'nearby_blocks', args: { radius: 8 } });
    expect(blocks.ok && (blocks.value as { blocks: { name: string }[] }).blocks.map((b) => b.name)).toContain(
      'crafting_table',
    );
  }, 45_000);

  it('bad calls come back as structured errors, and a cancelled action stops the bot', async () => {
    const unknown = await tal.dispatch({ tool: 'craft_item', args: { item: 'oak_plank' } });
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments', details: { closest: expect.arrayContaining(['oak_planks']) } },
    });
    for (const tool of alice.tools)
      expect(tool.annotations?.readOnlyHint || tool.timeoutMs! > 0).toBeTruthy();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const walk = await tal.dispatch(
      { tool: 'go_to_position', args: { x: 30, y: 5, z: 30 } },
      { signal: controller.signal },
    );
    expect(walk.ok).toBe(false);
    expect(alice.state.bot.pathfinder.isMoving()).toBe(false);
  }, 30_000);
});
