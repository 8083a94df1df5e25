import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { realisticTools } from './__fixtures__/realistic-tools';
import {
  type DispatchMiddleware,
  type DispatchResult,
  defineTool,
  EnvironmentError,
  ToolAbstractionLayer,
  ToolCallError,
  ToolRegistry,
} from './index';

function tal(options: Partial<ConstructorParameters<typeof ToolAbstractionLayer>[0]> = {}) {
  const tools = realisticTools();
  return { ...tools, tal: new ToolAbstractionLayer({ registry: tools.registry, ...options }) };
}

function errorOf(result: DispatchResult) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('ToolAbstractionLayer.dispatch', () => {
  it('runs the four steps for a valid call', async () => {
    // #region quick-start
    const add = defineTool({
      name: 'add',
      description: 'Add two numbers.',
      environmentTags: ['math'],
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      handler: ({ a, b }) => ({ sum: a + b }),
    });
    const tal = new ToolAbstractionLayer({ registry: new ToolRegistry([add]) });

    const ok = await tal.dispatch({ tool: 'add', args: { a: 2, b: 3 } });
    // ok: { ok: true, tool: 'add', value: { sum: 5 }, durationMs: ... }

    const fixable = await tal.dispatch('```json\n{"tool": "add", "args": {"a": 2, "b": "3"}}\n```');
    // fixable.error.message:
    // 'Invalid arguments for "add": $.b: expected number, received string "3". Arguments must match {a: number, b: number}.'
    // #endregion
    expect(ok).toMatchObject({ ok: true, tool: 'add', value: { sum: 5 } });
    expect(errorOf(fixable).message).toBe(
      'Invalid arguments for "add": $.b: expected number, received string "3". Arguments must match {a: number, b: number}.',
    );
  });

  it('passes call id and metadata to the handler and back', async () => {
    const seen = vi.fn();
    const tool = defineTool({
      name: 'peek',
      description: 'Records its context.',
      environmentTags: [],
      input: z.object({}),
      output: z.object({ tool: z.string() }),
      handler: (_args, ctx) => {
        seen(ctx.callId, ctx.metadata, ctx.signal.aborted);
        return { tool: ctx.tool };
      },
    });
    const layer = new ToolAbstractionLayer({ registry: new ToolRegistry([tool]) });
    const result = await layer.dispatch(
      { tool: 'peek', args: {}, id: 'call-7' },
      { metadata: { episode: 3 } },
    );
    expect(result).toMatchObject({ ok: true, value: { tool: 'peek' }, callId: 'call-7' });
    expect(seen).toHaveBeenCalledWith('call-7', { episode: 3 }, false);
  });

  it('extracts calls from model text: fences, prose, OpenAI shape, string arguments', async () => {
    const { tal: layer } = tal();
    const texts = [
      'I will add them.\n```json\n{"tool":"add","args":{"a":1,"b":2}}\n```\nDone.',
      'Calling {"name": "add", "arguments": "{\\"a\\": 1, \\"b\\": 2}"} now',
      '{"type":"function","id":"c1","function":{"name":"add","arguments":"{\\"a\\":1,\\"b\\":2}"}}',
    ];
    for (const text of texts) {
      expect(await layer.dispatch(text)).toMatchObject({ ok: true, value: { sum: 3 } });
    }
    expect(errorOf(await layer.dispatch('I think we are done.')).code).toBe('parse_error');
    expect(errorOf(await layer.dispatch('{"tool": "add", "args": {"a": 1,')).code).toBe('parse_error');
  });

  it('names the closest tools for an unknown name', async () => {
    const { tal: layer } = tal();
    const error = errorOf(await layer.dispatch({ tool: 'browser_clik', args: {} }));
    expect(error.code).toBe('unknown_tool');
    expect(error.message).toContain('Did you mean "browser_click"');
    expect(error.details?.closest).toEqual(['browser_click', 'browser_navigate']);
  });

  it('reports invalid arguments with path, expected, received and a schema reminder, without running the handler', async () => {
    const { tal: layer, calls } = tal();
    const error = errorOf(
      await layer.dispatch({
        tool: 'browser_fill_form',
        args: { fields: [{ element: 'e1', value: 5 }], extra: 1 },
      }),
    );
    expect(error.code).toBe('invalid_arguments');
    expect(error.details).toMatchObject({
      path: '$.fields[0].value',
      expected: 'string',
      received: 'number 5',
      schema: '{fields: {element: string, value: string, submit?: boolean}[]}',
    });
    expect(error.message).toContain('$.extra: not an allowed property');
    const missing = errorOf(await layer.dispatch({ tool: 'mc_go_to', args: { x: 1, z: 2 } }));
    expect(missing.details).toMatchObject({ path: '$.y', received: 'missing' });
    expect(calls).toEqual([]);
  });

  it('turns handler throws into handler_error, and typed throws into their codes', async () => {
    const throwing = (name: string, error: unknown) =>
      defineTool({
        name,
        description: 'Throws.',
        environmentTags: [],
        input: z.object({}),
        output: z.object({}),
        handler: () => {
          throw error;
        },
      });
    const registry = new ToolRegistry([
      throwing('plain', new Error('disk on fire')),
      throwing('env', new EnvironmentError('browser crashed')),
      throwing(
        'custom',
        new ToolCallError('permission_denied', 'not on weekends', { details: { day: 'sun' } }),
      ),
      throwing('weird', { toString: () => 'an object' }),
    ]);
    const layer = new ToolAbstractionLayer({ registry });
    expect(errorOf(await layer.dispatch({ tool: 'plain', args: {} }))).toEqual({
      code: 'handler_error',
      message: '"plain" failed: disk on fire',
      details: { error: 'Error' },
    });
    expect(errorOf(await layer.dispatch({ tool: 'env', args: {} })).code).toBe('environment_error');
    expect(errorOf(await layer.dispatch({ tool: 'custom', args: {} }))).toEqual({
      code: 'permission_denied',
      message: 'not on weekends',
      details: { day: 'sun' },
    });
    expect(errorOf(await layer.dispatch({ tool: 'weird', args: {} })).message).toBe(
      '"weird" failed: an object',
    );
  });

  it('turns a stale entity id into stale_entity', async () => {
    const { tal: layer, entities } = tal();
    const id = entities.assign('tab-1', 'button "Buy"');
    expect(await layer.dispatch({ tool: 'browser_click', args: { element: id } })).toMatchObject({
      ok: true,
    });
    entities.newVersion('tab-1');
    const error = errorOf(await layer.dispatch({ tool: 'browser_click', args: { element: id } }));
    expect(error).toMatchObject({ code: 'stale_entity', details: { id, reason: 'stale' } });
  });

  it('times out a slow handler and aborts its signal', async () => {
    let aborted: unknown;
    const slow = defineTool({
      name: 'slow',
      description: 'Never finishes on its own.',
      environmentTags: [],
      input: z.object({}),
      output: z.object({}),
      timeoutMs: 50,
      handler: (_args, ctx) =>
        new Promise<Record<string, never>>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = ctx.signal.reason;
            reject(ctx.signal.reason);
          });
        }),
    });
    const layer = new ToolAbstractionLayer({ registry: new ToolRegistry([slow]) });
    const error = errorOf(await layer.dispatch({ tool: 'slow', args: {} }));
    expect(error).toMatchObject({ code: 'timeout', details: { timeoutMs: 50 } });
    expect((aborted as DOMException).name).toBe('TimeoutError');
  });

  it('stops waiting when the caller cancels', async () => {
    const hang = defineTool({
      name: 'hang',
      description: 'Waits forever.',
      environmentTags: [],
      input: z.object({}),
      output: z.object({}),
      handler: () => new Promise<Record<string, never>>(() => {}),
    });
    const layer = new ToolAbstractionLayer({ registry: new ToolRegistry([hang]), defaultTimeoutMs: 0 });
    const controller = new AbortController();
    const pending = layer.dispatch({ tool: 'hang', args: {} }, { signal: controller.signal });
    controller.abort(new Error('episode over'));
    expect(errorOf(await pending)).toMatchObject({
      code: 'timeout',
      details: { cancelled: true, reason: 'episode over' },
    });
  });

  it('reports output that breaks the output schema', async () => {
    const liar = defineTool({
      name: 'liar',
      description: 'Returns the wrong shape.',
      environmentTags: [],
      input: z.object({}),
      output: z.object({ count: z.number() }),
      // @ts-expect-error: deliberately wrong result type
      handler: async () => ({ count: 'many' }),
    });
    const layer = new ToolAbstractionLayer({ registry: new ToolRegistry([liar]) });
    const error = errorOf(await layer.dispatch({ tool: 'liar', args: {} }));
    expect(error.code).toBe('invalid_output');
    expect(error.message).toContain('$.count: expected number, received string "many"');
  });

  it('runs middleware before (in order, may short-circuit) and after (reverse order, may replace)', async () => {
    const order: string[] = [];
    const logger: DispatchMiddleware = {
      name: 'logger',
      before: ({ tool }) => {
        order.push(`log-before ${tool.name}`);
      },
      after: ({ result }) => {
        order.push(`log-after ${result.ok}`);
      },
    };
    const cache: DispatchMiddleware = {
      name: 'cache',
      before: ({ tool, args }) => {
        order.push('cache-before');
        if ((args as { a: number }).a === 0)
          return { ok: true, tool: tool.name, value: { sum: -1 }, durationMs: 0 };
      },
      after: ({ result }) => {
        order.push('cache-after');
        if (result.ok) return { ...result, value: { ...(result.value as object), cached: false } };
      },
    };
    const { tal: layer } = tal({ middleware: [logger] });
    layer.use(cache);
    expect(await layer.dispatch({ tool: 'add', args: { a: 1, b: 1 } })).toMatchObject({
      value: { sum: 2, cached: false },
    });
    expect(order).toEqual(['log-before add', 'cache-before', 'cache-after', 'log-after true']);
    expect(await layer.dispatch({ tool: 'add', args: { a: 0, b: 1 } })).toMatchObject({ value: { sum: -1 } });
    order.length = 0;
    await layer.dispatch({ tool: 'nope', args: {} });
    expect(order).toEqual(['cache-after', 'log-after false']);
  });

  it('keeps the result when an after middleware throws, and reports the fault', async () => {
    const onMiddlewareError = vi.fn();
    const { tal: layer } = tal({
      middleware: [
        {
          name: 'broken',
          after: () => {
            throw new Error('log disk full');
          },
        },
      ],
      onMiddlewareError,
    });
    expect(await layer.dispatch({ tool: 'add', args: { a: 1, b: 2 } })).toMatchObject({ ok: true });
    expect(onMiddlewareError).toHaveBeenCalledOnce();
  });
});
