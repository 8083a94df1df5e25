import { describe, expect, it, vi } from 'vitest';
import { realisticTools } from './__fixtures__/realistic-tools';
import { type DispatchResult, type PermissionRequest, ToolAbstractionLayer, type ToolGuard } from './index';

const codeOf = (result: DispatchResult) => (result.ok ? 'ok' : result.error.code);

describe('permissions', () => {
  it('denies by tool name, and a name rule wins over tag rules', async () => {
    const { registry, calls } = realisticTools();
    const tal = new ToolAbstractionLayer({
      registry,
      permissions: { tools: { add: 'deny', mc_go_to: 'allow' }, tags: { minecraft: 'deny' } },
    });
    const denied = await tal.dispatch({ tool: 'add', args: { a: 1, b: 2 } });
    expect(denied).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(codeOf(await tal.dispatch({ tool: 'mc_craft_item', args: { item: 'stick' } }))).toBe(
      'permission_denied',
    );
    expect(codeOf(await tal.dispatch({ tool: 'mc_go_to', args: { x: 0, y: 64, z: 0 } }))).toBe('ok');
    expect(calls.map((c) => c.tool)).toEqual(['mc_go_to']);
  });

  it('asks a callback for "ask" tools, and treats ask without a callback as deny', async () => {
    const { registry } = realisticTools();
    const ask = vi.fn((request: PermissionRequest) => ({
      allow: (request.args as { url: string }).url.startsWith('https://'),
      reason: 'only https',
    }));
    const tal = new ToolAbstractionLayer({ registry, permissions: { tags: { navigation: 'ask' }, ask } });
    expect(
      codeOf(await tal.dispatch({ tool: 'browser_navigate', args: { url: 'https://example.com' } })),
    ).toBe('ok');
    const refused = await tal.dispatch({ tool: 'browser_navigate', args: { url: 'http://example.com' } });
    expect(refused).toMatchObject({
      error: { code: 'permission_denied', message: expect.stringContaining('only https') },
    });
    expect(ask).toHaveBeenCalledTimes(2);

    const noOne = new ToolAbstractionLayer({ registry, permissions: { default: 'ask' } });
    expect(codeOf(await noOne.dispatch({ tool: 'add', args: { a: 1, b: 1 } }))).toBe('permission_denied');
  });

  it('rate-limits per tool and overall, and refused calls consume nothing', async () => {
    const { registry } = realisticTools();
    const tal = new ToolAbstractionLayer({
      registry,
      permissions: {
        rateLimits: { add: { maxCalls: 2, perMs: 60_000 }, '*': { maxCalls: 3, perMs: 60_000 } },
      },
    });
    const add = () => tal.dispatch({ tool: 'add', args: { a: 1, b: 1 } });
    expect([codeOf(await add()), codeOf(await add()), codeOf(await add())]).toEqual([
      'ok',
      'ok',
      'rate_limited',
    ]);
    const limited = await add();
    expect(limited).toMatchObject({ error: { details: { maxCalls: 2, perMs: 60_000 } } });
    expect(codeOf(await tal.dispatch({ tool: 'mc_craft_item', args: { item: 'stick' } }))).toBe('ok');
    expect(codeOf(await tal.dispatch({ tool: 'mc_craft_item', args: { item: 'stick' } }))).toBe(
      'rate_limited',
    );
  });

  it('lets guards inspect (tool, args) and refuse', async () => {
    const { registry, calls } = realisticTools();
    // #region origin-guard
    const allowedOrigins = new Set(['http://127.0.0.1:8080']);
    const originGuard: ToolGuard = {
      name: 'origin-allowlist',
      appliesTo: (tool) => tool.environmentTags.includes('navigation'),
      check: ({ args }) => {
        const url = (args as { url?: unknown }).url;
        if (typeof url !== 'string') return undefined;
        const origin = new URL(url).origin;
        return allowedOrigins.has(origin)
          ? undefined
          : { allow: false, reason: `Navigation to ${origin} is not allowed here.`, details: { origin } };
      },
    };
    const tal = new ToolAbstractionLayer({ registry, guards: [originGuard] });
    // #endregion
    const blocked = await tal.dispatch({ tool: 'browser_navigate', args: { url: 'https://evil.example/' } });
    expect(blocked).toMatchObject({
      ok: false,
      error: {
        code: 'permission_denied',
        details: { guard: 'origin-allowlist', origin: 'https://evil.example' },
      },
    });
    expect(
      codeOf(await tal.dispatch({ tool: 'browser_navigate', args: { url: 'http://127.0.0.1:8080/a' } })),
    ).toBe('ok');
    expect(codeOf(await tal.dispatch({ tool: 'add', args: { a: 1, b: 1 } }))).toBe('ok');
    expect(calls.map((c) => c.tool)).toEqual(['browser_navigate', 'add']);
  });

  it('turns a throwing guard or ask callback into a structured error', async () => {
    const { registry } = realisticTools();
    const tal = new ToolAbstractionLayer({
      registry,
      guards: [
        {
          name: 'broken',
          check: () => {
            throw new Error('guard exploded');
          },
        },
      ],
    });
    expect(await tal.dispatch({ tool: 'add', args: { a: 1, b: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'handler_error', message: expect.stringContaining('guard exploded') },
    });
  });
});
