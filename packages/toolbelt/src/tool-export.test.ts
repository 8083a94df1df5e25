import { describe, expect, it } from 'vitest';
import { realisticTools } from './__fixtures__/realistic-tools';
import { toMcpTool, toOpenAITool, toRegistrationRecord } from './index';

describe('tool export shapes', () => {
  const { registry } = realisticTools();
  const add = registry.get('add')!;
  const goTo = registry.get('mc_go_to')!;

  it('gives the blueprint registration record', () => {
    // #region export
    const record = toRegistrationRecord(add); // { tool_name, description, environment_tags, input_schema, output_schema, ... }
    const mcpTool = toMcpTool(add); // { name, title?, description, inputSchema, outputSchema?, annotations? }
    const openAITool = toOpenAITool(add); // { type: 'function', function: { name, description, parameters } }
    // #endregion
    expect(mcpTool.name).toBe('add');
    expect(openAITool.function.name).toBe('add');
    expect(record).toEqual({
      tool_name: 'add',
      description: 'Add two numbers.',
      environment_tags: ['math'],
      input_schema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
        additionalProperties: false,
      },
      output_schema: {
        type: 'object',
        properties: { sum: { type: 'number' } },
        required: ['sum'],
        additionalProperties: false,
      },
      example_usage: '{"tool":"add","args":{"a":1,"b":2}}',
    });
    expect(toRegistrationRecord(registry.get('browser_navigate')!).cost_estimate).toBe(300);
    // No declared output schema: the honest "any value" schema.
    expect(toRegistrationRecord(goTo).output_schema).toEqual({});
  });

  it('gives the MCP Tool shape', () => {
    const tool = toMcpTool(add);
    expect(tool).toMatchObject({
      name: 'add',
      description: 'Add two numbers.',
      inputSchema: { type: 'object' },
    });
    expect(tool.outputSchema?.type).toBe('object');
    expect(toMcpTool(goTo).outputSchema).toBeUndefined();
  });

  it('gives the OpenAI function-calling shape', () => {
    expect(toOpenAITool(add)).toEqual({
      type: 'function',
      function: { name: 'add', description: 'Add two numbers.', parameters: add.inputSchema },
    });
  });
});
