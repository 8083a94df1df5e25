import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { realisticTools } from './__fixtures__/realistic-tools';
import { defineTool, ToolDefinitionError, ToolRegistry } from './index';

const version = (fields: z.ZodRawShape) =>
  defineTool({
    name: 'search',
    description: 'Search.',
    environmentTags: ['Web'],
    input: z.object(fields),
    output: z.object({ hits: z.number() }),
    handler: () => ({ hits: 0 }),
  });

describe('ToolRegistry', () => {
  it('looks tools up, lists names, and filters by environment tag (case-insensitive)', () => {
    const { registry } = realisticTools();
    expect(registry.has('add')).toBe(true);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.size).toBe(6);
    expect(registry.list({ tag: 'minecraft' }).map((t) => t.name)).toEqual(['mc_craft_item', 'mc_go_to']);
    expect(registry.list({ tags: ['WEB', 'navigation'] }).map((t) => t.name)).toEqual(['browser_navigate']);
    expect(registry.list({ names: ['add', 'mc_go_to'] }).map((t) => t.name)).toEqual(['add', 'mc_go_to']);
  });

  it('refuses a duplicate name unless asked to replace, and versions schema changes', () => {
    const registry = new ToolRegistry([version({ q: z.string() })]);
    const first = registry.registration('search')!;
    expect(first.revision).toBe(1);
    expect(() => registry.register(version({ q: z.string() }))).toThrow(ToolDefinitionError);

    const same = registry.register(version({ q: z.string() }), { replace: true });
    expect(same).toMatchObject({ revision: 1, schemaHash: first.schemaHash });
    const changed = registry.register(version({ q: z.string(), limit: z.number().optional() }), {
      replace: true,
    });
    expect(changed.revision).toBe(2);
    expect(changed.schemaHash).not.toBe(first.schemaHash);
    expect(registry.history('search').map((r) => r.revision)).toEqual([1, 2]);
  });

  it('notifies listeners of changes', () => {
    const registry = new ToolRegistry();
    const listener = vi.fn();
    const stop = registry.onChange(listener);
    registry.register(version({}));
    registry.unregister('search');
    stop();
    registry.register(version({}));
    expect(listener.mock.calls.map(([change]) => change.type)).toEqual(['registered', 'unregistered']);
  });
});
