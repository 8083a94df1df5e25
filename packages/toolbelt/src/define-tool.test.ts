import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  type AnyTool,
  defineJsonSchemaTool,
  defineTool,
  type Tool,
  type ToolArgs,
  ToolDefinitionError,
  type ToolResult,
} from './index';

describe('defineTool', () => {
  it('infers handler argument and result types from the zod schemas', () => {
    const tool = defineTool({
      name: 'move',
      description: 'Move by an offset.',
      environmentTags: ['minecraft'],
      input: z.object({ dx: z.number(), dz: z.number(), sprint: z.boolean().default(false) }),
      output: z.object({ x: z.number(), z: z.number() }),
      handler: (args, ctx) => {
        expectTypeOf(args).toEqualTypeOf<{ dx: number; dz: number; sprint: boolean }>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        return { x: args.dx, z: args.dz };
      },
    });
    expectTypeOf<ToolArgs<typeof tool>>().toEqualTypeOf<{ dx: number; dz: number; sprint: boolean }>();
    expectTypeOf<ToolResult<typeof tool>>().toEqualTypeOf<{ x: number; z: number }>();
    // Specific tools fit in mixed collections.
    const all: AnyTool[] = [tool];
    const plain: Tool[] = [tool];
    expect(all.length + plain.length).toBe(2);
    // The exported input schema reflects what the model may send (defaults make fields optional).
    expect(tool.inputSchema).toMatchObject({ required: ['dx', 'dz'], additionalProperties: false });
  });

  it('rejects unknown top-level arguments unless the schema is loose or strictInput is off', () => {
    const make = (input: z.ZodObject, strictInput?: boolean) =>
      defineTool({
        name: 't',
        description: 'T.',
        environmentTags: [],
        input,
        output: z.unknown(),
        ...(strictInput === undefined ? {} : { strictInput }),
        handler: (args) => args,
      });
    expect(make(z.object({ a: z.number() })).validateInput({ a: 1, b: 2 }).success).toBe(false);
    expect(make(z.looseObject({ a: z.number() })).validateInput({ a: 1, b: 2 }).success).toBe(true);
    expect(make(z.object({ a: z.number() }), false).validateInput({ a: 1, b: 2 })).toEqual({
      success: true,
      data: { a: 1 },
    });
  });

  it('keeps custom zod messages and transforms in validation results', () => {
    const tool = defineTool({
      name: 'click',
      description: 'Click.',
      environmentTags: [],
      input: z.object({
        element: z.string().regex(/^e\d+$/, 'use an element id like e12'),
        n: z.coerce.number(),
      }),
      output: z.unknown(),
      handler: (args) => args,
    });
    expect(tool.validateInput({ element: 'e3', n: '4' })).toEqual({
      success: true,
      data: { element: 'e3', n: 4 },
    });
    const bad = tool.validateInput({ element: 'the button', n: 1 });
    expect(bad.success).toBe(false);
    if (!bad.success) {
      expect(bad.issues()).toEqual([
        {
          path: '$.element',
          expected: 'regex format',
          received: 'string "the button"',
          message: 'use an element id like e12',
        },
      ]);
    }
  });

  it('refuses definitions a model or protocol could not use', () => {
    const base = {
      description: 'X.',
      environmentTags: [],
      input: z.object({}),
      output: z.object({}),
      handler: () => ({}),
    };
    expect(() => defineTool({ ...base, name: 'has space' })).toThrow(ToolDefinitionError);
    expect(() => defineTool({ ...base, name: 'ok', description: ' ' })).toThrow(/description is required/);
    expect(() => defineTool({ ...base, name: 'ok', input: z.string() as never })).toThrow(/object schema/);
    expect(() => defineTool({ ...base, name: 'ok', timeoutMs: -1 })).toThrow(/timeoutMs/);
  });
});

describe('defineJsonSchemaTool', () => {
  it('validates with ajv against draft 2020-12 and draft-07 schemas', () => {
    const modern = defineJsonSchemaTool({
      name: 'tuple',
      description: 'Takes a pair.',
      environmentTags: [],
      inputSchema: {
        type: 'object',
        properties: {
          pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
        },
        required: ['pair'],
      },
      handler: (args) => args,
    });
    expect(modern.validateInput({ pair: ['a', 1] }).success).toBe(true);
    const bad = modern.validateInput({ pair: ['a', 'b'] });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.issues()[0]).toMatchObject({ path: '$.pair[1]', expected: 'number' });

    // #region json-schema-tool
    const legacy = defineJsonSchemaTool<{ n: number }, { n: number }>({
      name: 'legacy',
      description: 'A draft-07 schema, as most MCP servers send.',
      environmentTags: [],
      inputSchema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { n: { type: 'integer', minimum: 1 } },
        required: ['n'],
      },
      handler: (args) => ({ n: args.n }),
    });
    // #endregion
    const low = legacy.validateInput({ n: 0 });
    expect(low.success).toBe(false);
    if (!low.success)
      expect(low.issues()[0]).toMatchObject({ path: '$.n', expected: '>= 1', received: 'number 0' });
  });

  it('throws a definition error for a schema that does not compile', () => {
    expect(() =>
      defineJsonSchemaTool({
        name: 'broken',
        description: 'Broken schema.',
        environmentTags: [],
        inputSchema: { type: 'object', properties: { a: { type: 'not-a-type' } } },
        handler: () => null,
      }),
    ).toThrow(/inputSchema is not a valid JSON Schema/);
  });
});
