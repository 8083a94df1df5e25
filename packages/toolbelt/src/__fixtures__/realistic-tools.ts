/**
 * A small registry of realistic tools (web-like and Minecraft-like, zod and JSON Schema) shared by
 * the TAL, fuzz and MCP tests. Every handler records the arguments it ran with, so a test can check
 * that no handler ever saw invalid input.
 */
import { z } from 'zod';
import { defineJsonSchemaTool, defineTool, EntityRegistry, ToolRegistry } from '../index';

export interface RealisticTools {
  registry: ToolRegistry;
  entities: EntityRegistry;
  /** Every (tool, args) a handler was entered with. */
  calls: { tool: string; args: unknown }[];
}

export function realisticTools(): RealisticTools {
  const calls: { tool: string; args: unknown }[] = [];
  const entities = new EntityRegistry();
  const record = (tool: string, args: unknown) => calls.push({ tool, args });

  const add = defineTool({
    name: 'add',
    description: 'Add two numbers.',
    environmentTags: ['math'],
    input: z.object({ a: z.number(), b: z.number() }),
    output: z.object({ sum: z.number() }),
    exampleUsage: '{"tool":"add","args":{"a":1,"b":2}}',
    handler: (args) => {
      record('add', args);
      return { sum: args.a + args.b };
    },
  });

  const navigate = defineTool({
    name: 'browser_navigate',
    description: 'Open a URL in the current tab.',
    environmentTags: ['web', 'navigation'],
    input: z.object({ url: z.url(), waitUntil: z.enum(['load', 'domcontentloaded']).default('load') }),
    output: z.object({ url: z.string(), title: z.string() }),
    costEstimate: 300,
    handler: async (args) => {
      record('browser_navigate', args);
      return { url: args.url, title: 'Example' };
    },
  });

  const click = defineTool({
    name: 'browser_click',
    description: 'Click an element by its id from the latest snapshot (e.g. e12).',
    environmentTags: ['web'],
    input: z.object({ element: z.string().regex(/^e\d+$/), button: z.enum(['left', 'right']).optional() }),
    output: z.object({ clicked: z.string() }),
    handler: (args) => {
      record('browser_click', args);
      const resolved = entities.tryResolve('tab-1', args.element);
      if (!resolved.ok) throw resolved.error;
      return { clicked: resolved.key };
    },
  });

  const fill = defineTool({
    name: 'browser_fill_form',
    description: 'Fill several form fields at once.',
    environmentTags: ['web', 'forms'],
    input: z.object({
      fields: z
        .array(z.object({ element: z.string(), value: z.string().max(2000), submit: z.boolean().optional() }))
        .min(1)
        .max(20),
    }),
    output: z.object({ filled: z.number().int() }),
    handler: (args) => {
      record('browser_fill_form', args);
      return { filled: args.fields.length };
    },
  });

  const craft = defineJsonSchemaTool<{ item: string; count?: number }, { crafted: number }>({
    name: 'mc_craft_item',
    description: 'Craft an item at a crafting table in range.',
    environmentTags: ['minecraft'],
    inputSchema: {
      type: 'object',
      properties: {
        item: { type: 'string', enum: ['wooden_pickaxe', 'crafting_table', 'stick', 'oak_planks'] },
        count: { type: 'integer', minimum: 1, maximum: 64 },
      },
      required: ['item'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: { crafted: { type: 'integer' } },
      required: ['crafted'],
    },
    handler: (args) => {
      record('mc_craft_item', args);
      return { crafted: args.count ?? 1 };
    },
  });

  const goTo = defineJsonSchemaTool<{ x: number; y: number; z: number; range?: number }>({
    name: 'mc_go_to',
    description: 'Walk to a block position.',
    environmentTags: ['minecraft', 'navigation'],
    inputSchema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        x: { type: 'number' },
        y: { type: 'number', minimum: -64, maximum: 320 },
        z: { type: 'number' },
        range: { type: 'number', minimum: 0 },
      },
      required: ['x', 'y', 'z'],
      additionalProperties: false,
    },
    handler: (args) => {
      record('mc_go_to', args);
      return `arrived at ${args.x},${args.y},${args.z}`;
    },
  });

  const registry = new ToolRegistry([add, navigate, click, fill, craft, goTo]);
  return { registry, entities, calls };
}
