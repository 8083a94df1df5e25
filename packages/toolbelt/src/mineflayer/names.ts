/**
 * Item, block and entity names as a model writes them (`Oak Log`, `minecraft:oak_log`, `oak log`)
 * resolved to minecraft-data names, with "did you mean" suggestions when they do not exist.
 */
import { closestNames } from '../closest-names';
import { ToolCallError } from '../errors/tool-call-error';
import type { Bot } from './deps';

export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^minecraft:/, '')
    .replace(/[\s-]+/g, '_');
}

export function resolveItemName(bot: Bot, name: string): { id: number; name: string } {
  const normalized = normalizeName(name);
  const item = bot.registry.itemsByName[normalized];
  if (item) return { id: item.id, name: item.name };
  throw new ToolCallError('invalid_arguments', `unknown item "${name}"`, {
    details: { closest: closestNames(normalized, Object.keys(bot.registry.itemsByName)) },
  });
}

export function resolveBlockName(bot: Bot, name: string): { id: number; name: string } {
  const normalized = normalizeName(name);
  const block = bot.registry.blocksByName[normalized];
  if (block) return { id: block.id, name: block.name };
  throw new ToolCallError('invalid_arguments', `unknown block "${name}"`, {
    details: { closest: closestNames(normalized, Object.keys(bot.registry.blocksByName)) },
  });
}
