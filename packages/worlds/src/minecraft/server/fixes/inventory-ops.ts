/**
 * Server-side inventory edits shared by the fixes (pickup, crafting-table close, resets).
 * Slots follow the player window: 9-35 main inventory, 36-44 hotbar, 5-8 armor, 45 off-hand.
 */
import type { ItemConstructor, PrismarineItem, PrismarineWindow, Registry } from '../squid-types';

const HOTBAR = [36, 37, 38, 39, 40, 41, 42, 43, 44];
const MAIN = Array.from({ length: 27 }, (_, i) => 9 + i);
/** The game fills the hotbar before the main inventory. */
const FILL_ORDER = [...HOTBAR, ...MAIN];

/** Adds `count` items of `itemId`; returns how many did not fit. */
export function addItem(
  inventory: PrismarineWindow,
  Item: ItemConstructor,
  itemId: number,
  count: number,
  stackSize: number,
  /** 1 for a crafting-table window, whose player slots sit one further than the inventory's. */
  slotOffset = 0,
): number {
  let left = count;
  const order = slotOffset === 0 ? FILL_ORDER : FILL_ORDER.map((s) => s + slotOffset);
  for (const slot of order) {
    if (left === 0) return 0;
    const item = inventory.slots[slot];
    if (!item || item.type !== itemId || item.count >= stackSize) continue;
    const moved = Math.min(left, stackSize - item.count);
    inventory.updateSlot(slot, new Item(itemId, item.count + moved, item.metadata, item.nbt));
    left -= moved;
  }
  for (const slot of order) {
    if (left === 0) return 0;
    if (inventory.slots[slot]) continue;
    const moved = Math.min(left, stackSize);
    inventory.updateSlot(slot, new Item(itemId, moved));
    left -= moved;
  }
  return left;
}

/** Item counts by name over the armor, main, hotbar and off-hand slots (not the crafting grid). */
export function countItems(inventory: PrismarineWindow, registry: Registry): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let slot = 5; slot < inventory.slots.length; slot++) {
    const item = inventory.slots[slot];
    if (!item) continue;
    const name = registry.items[item.type]?.name ?? `item_${item.type}`;
    counts[name] = (counts[name] ?? 0) + item.count;
  }
  return counts;
}

/** Empties every slot (including the crafting grid and cursor). */
export function clearInventory(inventory: PrismarineWindow): void {
  for (let slot = 0; slot < inventory.slots.length; slot++) {
    if (inventory.slots[slot]) inventory.updateSlot(slot, null);
  }
  inventory.selectedItem = null;
}

/** A copy of slot contents for diffing (prismarine-windows mutates items in place). */
export function snapshotSlots(slots: (PrismarineItem | null)[]): string[] {
  return slots.map((item) => (item ? `${item.type}x${item.count}` : ''));
}
