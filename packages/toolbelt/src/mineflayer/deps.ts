/**
 * The CommonJS packages behind this subpath, imported through their default export: Node's ESM
 * loader cannot see their named exports (`module.exports = { goals, ... }`).
 * mineflayer, mineflayer-pathfinder and vec3 are optional peer dependencies of @chimera/toolbelt,
 * loaded only by `@chimera/toolbelt/mineflayer`.
 */
// Must come before mineflayer: it fixes timers mineflayer's plugins capture when they load.
import './mineflayer-timers';
import mineflayerPackage, { type Bot } from 'mineflayer';
import pathfinderPackage from 'mineflayer-pathfinder';
import vec3Package from 'vec3';

export type { Bot, BotOptions } from 'mineflayer';
/** mineflayer's own vec3 (0.1.x) type; positions built here are structurally the same objects. */
export type Vec3 = Bot['entity']['position'];

export const createBot = mineflayerPackage.createBot;
export const pathfinderPlugin = pathfinderPackage.pathfinder;
export const Movements = pathfinderPackage.Movements;
export const goals = pathfinderPackage.goals;
export const vec3 = (x: number, y: number, z: number): Vec3 => vec3Package(x, y, z) as unknown as Vec3;
