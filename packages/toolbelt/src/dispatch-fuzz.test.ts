/**
 * Fuzz: 10,000 random and mutated calls against the realistic registry. Wrong types, missing and
 * extra fields, huge strings, deep nesting, prototype-pollution keys, non-JSON text and hostile call
 * objects. Properties: dispatch never throws or rejects, every result is a success or a structured
 * error, no handler ever runs with arguments its schema rejects, and nothing gets polluted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realisticTools } from './__fixtures__/realistic-tools';
import { type DispatchResult, ToolAbstractionLayer, type ToolErrorCode } from './index';

const codes = new Set<ToolErrorCode>([
  'parse_error',
  'unknown_tool',
  'invalid_arguments',
  'permission_denied',
  'rate_limited',
  'handler_error',
  'timeout',
  'invalid_output',
  'stale_entity',
  'environment_error',
]);

const validArgs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  add: fc.record({ a: fc.double(), b: fc.integer() }),
  browser_navigate: fc.record(
    { url: fc.webUrl(), waitUntil: fc.constantFrom('load', 'domcontentloaded', 'idle') },
    { requiredKeys: ['url'] },
  ),
  browser_click: fc.record({ element: fc.nat(40).map((n) => `e${n}`) }),
  browser_fill_form: fc.record({
    fields: fc.array(
      fc.record({ element: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 30 }) }),
      {
        minLength: 0,
        maxLength: 4,
      },
    ),
  }),
  mc_craft_item: fc.record(
    { item: fc.constantFrom('stick', 'oak_planks', 'diamond'), count: fc.integer() },
    {
      requiredKeys: ['item'],
    },
  ),
  mc_go_to: fc.record({ x: fc.double(), y: fc.integer({ min: -100, max: 400 }), z: fc.integer() }),
};

const toolNames = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...Object.keys(validArgs)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
      'ADD',
      'browser clik',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

function deep(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
  return value;
}

type Mutation = (args: Record<string, unknown>) => void;
const ownSet = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Mutation>(() => {}) },
  {
    weight: 2,
    arbitrary: fc.nat().map<Mutation>((i) => (args) => {
      const keys = Object.keys(args);
      if (keys.length > 0) delete args[keys[i % keys.length]!];
    }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(), fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true, withBigInt: true }))
      .map<Mutation>(([i, value]) => (args) => {
        const keys = Object.keys(args);
        if (keys.length > 0) args[keys[i % keys.length]!] = value;
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 3, maxKeys: 4 }))
      .map<Mutation>(([key, value]) => (args) => {
        ownSet(args, key, value);
      }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype').map<Mutation>((key) => (args) => {
      ownSet(args, key, { polluted: true, prototype: { polluted: true } });
    }),
  },
  {
    weight: 1,
    arbitrary: fc.nat().map<Mutation>((i) => (args) => {
      const keys = Object.keys(args);
      if (keys.length > 0) args[keys[i % keys.length]!] = 'x'.repeat(20_000 + (i % 1000));
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(), fc.integer({ min: 50, max: 1000 }))
      .map<Mutation>(([i, depth]) => (args) => {
        const keys = Object.keys(args);
        ownSet(args, keys.length > 0 ? keys[i % keys.length]! : 'deep', deep(depth));
      }),
  },
);

const mutatedCall = fc
  .tuple(toolNames, fc.constantFrom(...Object.keys(validArgs)), fc.nat(9), mutations)
  .chain(([tool, other, pick, mutate]) =>
    // Mostly the tool's own argument shape (so mutations hit real schemas), sometimes another tool's.
    validArgs[pick < 8 && Object.hasOwn(validArgs, tool) ? tool : other]!.map((args) => {
      const copy = { ...args };
      mutate(copy);
      return { tool, args: copy as unknown };
    }),
  );

/** How the call reaches dispatch: as an object, as JSON text (fenced, with prose, OpenAI-style), or broken. */
const delivered = fc.tuple(mutatedCall, fc.nat(9), fc.string({ maxLength: 30 })).map(([call, how, prose]) => {
  const json = (value: unknown = call) => {
    try {
      return JSON.stringify(value) ?? 'undefined';
    } catch {
      return '{"tool": "add", "args": {"a": 1n}}';
    }
  };
  switch (how) {
    case 0:
    case 1:
    case 2:
      return call;
    case 3:
      return json();
    case 4:
      return `${prose}\n\`\`\`json\n${json()}\n\`\`\`\n${prose}`;
    case 5:
      return {
        type: 'function',
        function: { name: call.tool, arguments: json().slice(0, -1 - (prose.length % 3)) },
      };
    case 6:
      return json().slice(0, Math.max(0, json().length - 1 - prose.length));
    case 7:
      return { tool: call.tool, args: json(call.args) };
    default:
      return `${prose}${json()}${prose}`;
  }
});

const garbage = fc.oneof(
  fc.anything({
    maxDepth: 4,
    maxKeys: 5,
    withNullPrototype: true,
    withBigInt: true,
    withMap: true,
    withSet: true,
  }),
  fc.string(),
  fc.constantFrom(
    'null',
    '[]',
    '[{"tool":"add","args":{"a":1,"b":2}},{"tool":"add","args":{}}]',
    '{"__proto__":{"tool":"add"},"args":{"a":1,"b":2}}',
    '```\nnot json\n```',
    '{"tool": "add", "args": {"a": 1, "b": 2}',
    '{{{{{{{{{{',
    '"just a string"',
  ),
);

const hostile: unknown[] = [
  {
    get tool(): string {
      throw new Error('getter');
    },
    args: {},
  },
  new Proxy(
    {},
    {
      get() {
        throw new Error('proxy');
      },
      ownKeys() {
        throw new Error('proxy');
      },
    },
  ),
  { tool: 'add', args: new Proxy({ a: 1, b: 2 }, { get: () => 'trap' }) },
  {
    tool: 'add',
    args: new Proxy(
      { a: 1, b: 2 },
      {
        ownKeys() {
          throw new Error('keys trap');
        },
      },
    ),
  },
  Object.create({ tool: 'add', args: { a: 1, b: 2 } }),
];

describe('dispatch fuzz', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  it('survives 10,000 random and mutated calls with only successes and structured errors', async () => {
    const { registry, entities, calls } = realisticTools();
    for (let i = 0; i < 20; i++) entities.assign('tab-1', `element ${i}`);
    const tal = new ToolAbstractionLayer({ registry, defaultTimeoutMs: 5_000 });
    const seen = new Map<string, number>();

    const check = (result: DispatchResult) => {
      expect(typeof result.durationMs).toBe('number');
      expect(typeof result.tool).toBe('string');
      if (result.ok) {
        seen.set('ok', (seen.get('ok') ?? 0) + 1);
        return;
      }
      expect(codes.has(result.error.code), result.error.code).toBe(true);
      expect(result.error.message.length).toBeGreaterThan(0);
      expect(result.error.message.length).toBeLessThan(4_000);
      seen.set(result.error.code, (seen.get(result.error.code) ?? 0) + 1);
    };

    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 9, arbitrary: delivered }, { weight: 1, arbitrary: garbage }),
        async (input) => {
          runs++;
          let pending: Promise<DispatchResult>;
          try {
            pending = tal.dispatch(input as never);
          } catch (error) {
            throw new Error(`dispatch threw synchronously: ${String(error)}`);
          }
          check(await pending);
        },
      ),
      { numRuns: 10_000, seed: 20_260_101 },
    );
    const hostileResults = [];
    for (const input of hostile) hostileResults.push(await tal.dispatch(input as never));
    hostileResults.forEach(check);
    expect(hostileResults.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'parse_error',
      'parse_error',
      'invalid_arguments',
      'invalid_arguments',
      'ok',
    ]);

    expect(runs).toBe(10_000);
    expect(uncaught).toEqual([]);
    // The mix exercised every path it should, not just parse errors.
    for (const code of ['ok', 'parse_error', 'unknown_tool', 'invalid_arguments', 'stale_entity']) {
      expect(seen.get(code) ?? 0, `${code}: ${JSON.stringify([...seen])}`).toBeGreaterThan(50);
    }
    // No handler ever ran with arguments its schema rejects.
    expect(calls.length).toBeGreaterThan(500);
    for (const call of calls) {
      expect(registry.get(call.tool)!.validateInput(call.args).success, JSON.stringify(call)).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);
});
