/**
 * The zod mirrors of the toolbelt's ToolCall and DispatchResult must stay structurally
 * compatible in both directions: a TAL result can be stored as is, and a stored call can be
 * dispatched again. Checked by the type checker (`pnpm typecheck`) and at run time.
 */
import type { DispatchResult, ToolCall } from '@chimera/toolbelt';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type DispatchResultRecord,
  DispatchResultSchema,
  type ToolCallRecord,
  ToolCallSchema,
} from './tool-shapes';

describe('toolbelt shapes', () => {
  it('are assignable both ways at type level', () => {
    expectTypeOf<ToolCall>().toExtend<ToolCallRecord>();
    expectTypeOf<ToolCallRecord>().toExtend<ToolCall>();
    expectTypeOf<DispatchResult>().toExtend<DispatchResultRecord>();
    expectTypeOf<DispatchResultRecord>().toExtend<DispatchResult>();
  });

  it('accept what the TAL produces', () => {
    const call: ToolCall = { tool: 'browser_click', args: { ref: 'e3' }, id: 'call-1' };
    const ok: DispatchResult = {
      ok: true,
      tool: 'browser_click',
      value: { clicked: true },
      durationMs: 4,
      callId: 'call-1',
    };
    const failed: DispatchResult = {
      ok: false,
      tool: 'browser_click',
      error: { code: 'stale_entity', message: 'e3 is gone', details: { closest: ['e4'] } },
      durationMs: 1,
    };
    expect(ToolCallSchema.parse(call)).toEqual(call);
    expect(DispatchResultSchema.parse(ok)).toEqual(ok);
    expect(DispatchResultSchema.parse(failed)).toEqual(failed);
    expect(DispatchResultSchema.safeParse({ ...failed, error: { code: 'oops', message: 'x' } }).success).toBe(
      false,
    );
  });
});
