/**
 * The CommonJS packages behind this subpath (mineflayer, mineflayer-pathfinder, vec3: optional
 * peer dependencies of @chimera/toolbelt, loaded only by `@chimera/toolbelt/mineflayer`).
 */
import { createRequire } from 'node:module';
import type * as MineflayerModule from 'mineflayer';
import type { Bot } from 'mineflayer';
import type * as PathfinderModule from 'mineflayer-pathfinder';
import type vec3Function from 'vec3';
import { clearMineflayerTimers } from './mineflayer-timers';

// Loaded with require, in this order: the timer fix must be in place before mineflayer loads its
// plugins, and an ESM bundle would hoist static imports of these packages above it.
const require = createRequire(import.meta.url);
clearMineflayerTimers(require);
const mineflayerPackage = require('mineflayer') as typeof MineflayerModule;
const pathfinderPackage = require('mineflayer-pathfinder') as typeof PathfinderModule;
const vec3Package = require('vec3') as typeof vec3Function;

export type { Bot, BotOptions } from 'mineflayer';
/** mineflayer's own vec3 (0.1.x) type; positions built here are structurally the same objects. */
export type Vec3 = Bot['entity']['position'];

export const createBot = mineflayerPackage.createBot;
export const pathfinderPlugin = pathfinderPackage.pathfinder;
export const Movements = pathfinderPackage.Movements;
export const goals = pathfinderPackage.goals;
export const vec3 = (x: number, y: number, z: number): Vec3 => vec3Package(x, y, z) as unknown as Vec3;
