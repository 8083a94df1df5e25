/**
 * Authoritative window clicks and crafting (2x2 in the inventory, 3x3 at a crafting table).
 *
 * flying-squid 1.12 applies every click to the player inventory whatever window it names, never
 * fills a crafting result slot, has no crafting-table window, and ignores mineflayer's resync
 * probe (a click with stateId -1). This replaces its click handling: the server keeps its own
 * model of each window, matches recipes from minecraft-data, consumes ingredients when the result
 * is taken, and answers every click in the crafting area with the result slot, which is what
 * mineflayer's `bot.craft` waits for.
 */
import type { RecipeMatcher } from '../recipe-matcher';
import type {
  ItemConstructor,
  PrismarineItem,
  PrismarineWindow,
  SquidPlayer,
  SquidServer,
  WindowClick,
} from '../squid-types';
import { addItem, snapshotSlots } from './inventory-ops';

/** Menu registry id of `minecraft:crafting` in 1.21.4 (generic_9x1..9x6, 3x3, crafter, anvil, beacon, blast_furnace, brewing_stand, crafting). */
const CRAFTING_MENU_TYPE = 12;
const RESYNC_STATE_ID = -1;

export interface CraftingWindowsDeps {
  Item: ItemConstructor;
  createWindow(id: number, type: string, title: string): PrismarineWindow;
  matcher: RecipeMatcher;
  /** Spawns a dropped item in front of the player (see item-drops.ts). */
  dropItem(player: SquidPlayer, itemId: number, count: number): void;
}

interface ClickPacket extends WindowClick {
  stateId: number;
}

export function installCraftingWindows(serv: SquidServer, deps: CraftingWindowsDeps): void {
  const { Item, matcher } = deps;
  const registry = serv.registry;
  const stackSizeOf = (id: number) => registry.items[id]?.stackSize ?? 64;
  const clone = (item: PrismarineItem | null | undefined) =>
    item ? new Item(item.type, item.count, item.metadata, item.nbt) : null;

  serv.on('newPlayer', (player: SquidPlayer) => {
    let stateId = 0;
    let nextWindowId = 0;
    player.chimeraWindow = null;
    const client = player._client;
    client.removeAllListeners('window_click');
    client.removeAllListeners('close_window');

    const gridSize = (win: PrismarineWindow) => (win === player.inventory ? 2 : 3);
    const gridEnd = (win: PrismarineWindow) => gridSize(win) ** 2;
    const windowIdOf = (win: PrismarineWindow) => (win === player.inventory ? 0 : win.id);
    const slotOffset = (win: PrismarineWindow) => (win === player.inventory ? 0 : 1);

    const sendSlot = (win: PrismarineWindow, slot: number) =>
      client.write('set_slot', {
        windowId: windowIdOf(win),
        stateId: ++stateId,
        slot,
        item: Item.toNotch(win.slots[slot] ?? null),
      });
    const sendAll = (win: PrismarineWindow) =>
      client.write('window_items', {
        windowId: windowIdOf(win),
        stateId: ++stateId,
        items: win.slots.map((item) => Item.toNotch(item ?? null)),
        carriedItem: Item.toNotch(win.selectedItem),
      });

    const matchGrid = (win: PrismarineWindow) => {
      const size = gridSize(win);
      const cells: (number | null)[] = [];
      for (let i = 1; i <= size * size; i++) cells.push(win.slots[i]?.type ?? null);
      return matcher.match({ width: size, height: size, cells });
    };
    const refreshResult = (win: PrismarineWindow) => {
      const match = matchGrid(win);
      const current = win.slots[0];
      if (!match && !current) return;
      if (match && current && current.type === match.resultId && current.count === match.resultCount) return;
      win.updateSlot(0, match ? new Item(match.resultId, match.resultCount) : null);
    };
    const consumeGrid = (win: PrismarineWindow) => {
      for (let i = 1; i <= gridEnd(win); i++) {
        const item = win.slots[i];
        if (!item) continue;
        win.updateSlot(
          i,
          item.count > 1 ? new Item(item.type, item.count - 1, item.metadata, item.nbt) : null,
        );
      }
    };

    /** Taking the result: a plain click moves one craft to the cursor, a shift click crafts repeatedly into the inventory. */
    const takeResult = (win: PrismarineWindow, click: ClickPacket) => {
      if (click.mode === 1) {
        for (let guard = 0; guard < 64; guard++) {
          const match = matchGrid(win);
          if (!match) return;
          const probe = snapshotSlots(win.slots);
          const left = addItem(
            win,
            Item,
            match.resultId,
            match.resultCount,
            stackSizeOf(match.resultId),
            slotOffset(win),
          );
          if (left > 0) {
            // No room for the whole craft: undo the partial insert (the game refuses the craft).
            restore(win, probe);
            return;
          }
          consumeGrid(win);
        }
        return;
      }
      if (click.mode !== 0) return;
      const match = matchGrid(win);
      if (!match) return;
      const cursor = win.selectedItem;
      if (cursor) {
        if (cursor.type !== match.resultId) return;
        if (cursor.count + match.resultCount > stackSizeOf(match.resultId)) return;
        win.selectedItem = new Item(cursor.type, cursor.count + match.resultCount);
      } else {
        win.selectedItem = new Item(match.resultId, match.resultCount);
      }
      consumeGrid(win);
    };

    const restore = (win: PrismarineWindow, probe: string[]) => {
      probe.forEach((entry, slot) => {
        if (snapshotSlots([win.slots[slot] ?? null])[0] === entry) return;
        if (entry === '') win.updateSlot(slot, null);
        else {
          const [type, count] = entry.split('x').map(Number) as [number, number];
          win.updateSlot(slot, new Item(type, count));
        }
      });
    };

    const dropFromWindow = (win: PrismarineWindow, click: ClickPacket) => {
      if (click.slot === -999) {
        const cursor = win.selectedItem;
        if (!cursor || click.mode !== 0) return;
        const n = click.mouseButton === 0 ? cursor.count : 1;
        win.selectedItem = cursor.count > n ? new Item(cursor.type, cursor.count - n) : null;
        deps.dropItem(player, cursor.type, n);
        return;
      }
      const item = win.slots[click.slot];
      if (!item || win.selectedItem) return;
      const n = click.mouseButton === 1 ? item.count : 1;
      win.updateSlot(click.slot, item.count > n ? new Item(item.type, item.count - n) : null);
      deps.dropItem(player, item.type, n);
    };

    /** A crafting-table window mirrors the player's inventory in its slots 10-45. */
    const mirrorToInventory = (win: PrismarineWindow) => {
      for (let slot = 9; slot <= 44; slot++) {
        const fromWindow = win.slots[slot + 1] ?? null;
        const inInventory = player.inventory.slots[slot] ?? null;
        if (snapshotSlots([fromWindow])[0] !== snapshotSlots([inInventory])[0]) {
          player.inventory.updateSlot(slot, clone(fromWindow));
        }
      }
    };

    client.on('window_click', (click: ClickPacket) => {
      const open = player.chimeraWindow;
      const win =
        click.windowId === 0 ? player.inventory : open && open.id === click.windowId ? open.window : null;
      if (!win) return;
      if (click.stateId === RESYNC_STATE_ID || click.mode >= 5) {
        // mineflayer's resync probe (and drags, which it never sends otherwise): answer with the whole window.
        sendAll(win);
        return;
      }
      const before = snapshotSlots(win.slots);
      const emitted = new Set<number>();
      const onUpdate = (slot: number) => emitted.add(slot);
      if (win === player.inventory) win.on('updateSlot', onUpdate);
      try {
        if (click.slot === 0) takeResult(win, click);
        else if (click.mode === 4 || (click.slot === -999 && click.mode === 0)) dropFromWindow(win, click);
        else win.acceptClick({ ...click, item: win.slots[click.slot] ?? null });
        refreshResult(win);
      } catch {
        // An impossible click for this window model: tell the client what the server holds.
        win.removeListener('updateSlot', onUpdate);
        sendAll(win);
        return;
      }
      win.removeListener('updateSlot', onUpdate);
      const after = snapshotSlots(win.slots);
      const inCraftingArea = click.slot >= 0 && click.slot <= gridEnd(win);
      for (let slot = 0; slot < after.length; slot++) {
        const changed = after[slot] !== before[slot];
        // flying-squid's own listener already sent inventory slots that went through updateSlot.
        const alreadySent = win === player.inventory && emitted.has(slot);
        if ((changed && !alreadySent) || (slot === 0 && inCraftingArea)) sendSlot(win, slot);
      }
      if (win !== player.inventory) mirrorToInventory(win);
    });

    const returnGridAndCursor = (win: PrismarineWindow) => {
      const give = (item: PrismarineItem | null) => {
        if (!item) return;
        const left = addItem(win, Item, item.type, item.count, stackSizeOf(item.type), slotOffset(win));
        if (left > 0) deps.dropItem(player, item.type, left);
      };
      for (let i = 1; i <= gridEnd(win); i++) {
        const item = clone(win.slots[i]);
        if (item) {
          win.updateSlot(i, null);
          give(item);
        }
      }
      const cursor = clone(win.selectedItem);
      win.selectedItem = null;
      give(cursor);
      if (win.slots[0]) win.updateSlot(0, null);
    };

    const closeCraftingTable = () => {
      const open = player.chimeraWindow;
      if (!open) return;
      player.chimeraWindow = null;
      returnGridAndCursor(open.window);
      mirrorToInventory(open.window);
    };

    client.on('close_window', ({ windowId }: { windowId: number }) => {
      if (windowId === 0) returnGridAndCursor(player.inventory);
      else if (player.chimeraWindow?.id === windowId) closeCraftingTable();
    });

    player.on('disconnected', () => {
      player.chimeraWindow = null;
    });

    player.chimeraOpenCraftingTable = () => {
      closeCraftingTable();
      nextWindowId = (nextWindowId % 100) + 1;
      const window = deps.createWindow(nextWindowId, 'minecraft:crafting', 'Crafting');
      for (let slot = 9; slot <= 44; slot++) {
        const item = clone(player.inventory.slots[slot]);
        if (item) item.slot = slot + 1;
        window.slots[slot + 1] = item;
      }
      window.selectedItem = player.inventory.selectedItem;
      player.inventory.selectedItem = null;
      player.chimeraWindow = { id: nextWindowId, window };
      client.write('open_window', {
        windowId: nextWindowId,
        inventoryType: CRAFTING_MENU_TYPE,
        windowTitle: serv._createChatComponent({ translate: 'container.crafting' }).toNetworkFormat(),
      });
      sendAll(window);
    };
  });

  serv.onBlockInteraction('crafting_table', ({ player }) => {
    if ((player as SquidPlayer & { crouching?: boolean }).crouching) return false;
    player.chimeraOpenCraftingTable?.();
    // true: the right click opened a window, so no block is placed against the table.
    return true;
  });
}
