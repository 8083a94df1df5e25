/**
 * LanguageModelPolicy through the real episode runner on the toy environment, with the model
 * played by a test double of an OpenAI-compatible server (a real HTTP server with scripted
 * replies). What is real: the runner, the environment, the TAL validation, the HTTP exchange.
 * What is scripted: the model's replies.
 */
import { defineTool } from '@chimera/toolbelt';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conventionWorld } from '../__fixtures__/convention-world';
import { Mulberry32 } from '../curriculum/random';
import { runEpisode, type SelfSelector } from '../episode-runner';
import {
  completion,
  type RecordedRequest,
  type ScriptedServer,
  startScriptedServer,
} from './__fixtures__/scripted-chat-server';
import type { ChatMessage } from './chat-types';
import { LanguageModelError } from './language-model-error';
import { type DecisionTranscript, LanguageModelPolicy } from './language-model-policy';
import { OpenAICompatibleBackend } from './openai-compatible-backend';

const click = defineTool({
  name: 'click',
  description: 'Click the button with this label.',
  environmentTags: ['toy'],
  input: z.object({ label: z.string().describe('the exact button label') }),
  output: z.object({ clicked: z.string() }),
  handler: ({ label }) => ({ clicked: label }),
});

const formFiller: SelfSelector = {
  select: async () => ({ self: 'Form_Filler', version: 'v1', reason: 'fixed' }),
};

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function messagesOf(request: RecordedRequest): ChatMessage[] {
  return (request.body?.messages ?? []) as ChatMessage[];
}

/** The target label the goal names ("click the <label> button"). */
function targetOf(request: RecordedRequest): string {
  const user = messagesOf(request).find((m) => m.role === 'user')!.content;
  return /goal: click the (.+) button/.exec(user)![1]!;
}

function lexicalTask(seed: number) {
  return conventionWorld().generator.generate({ family: 'lexical', difficulty: 0, seed, split: 'train' });
}

describe('LanguageModelPolicy', () => {
  it('runs an episode: corrects an unknown tool and bad arguments from the TAL errors, records the reasoning', async () => {
    // The scripted model: a misspelled tool, then a wrong argument name, then the right call.
    server = await startScriptedServer((request) => {
      const turn = messagesOf(request).filter((m) => m.role === 'tool').length;
      const target = targetOf(request);
      if (turn === 0)
        return {
          json: completion({
            reasoning: 'The goal names the button.',
            toolCalls: [{ name: 'clik', arguments: { label: target } }],
          }),
        };
      if (turn === 1)
        return {
          json: completion({
            reasoning: 'The tool is "click".',
            toolCalls: [{ name: 'click', arguments: { text: target } }],
          }),
        };
      return {
        json: completion({
          reasoning: 'The argument is "label".',
          toolCalls: [{ name: 'click', arguments: { label: target } }],
        }),
      };
    });
    const transcripts: DecisionTranscript[] = [];
    // #region language-model-policy
    const policy = new LanguageModelPolicy({
      backend: new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'xlam-2-8b' }),
      tools: [click],
      maxCorrections: 2,
      onTranscript: (t) => transcripts.push(t),
    });
    const result = await runEpisode({
      environment: conventionWorld(),
      task: lexicalTask(3),
      policy,
      selector: formFiller,
      random: new Mulberry32(1),
      episodeId: 'llm-episode',
      explore: false,
    });
    // result.records[0].metadata.thoughtProcess holds the model's reasoning
    // #endregion
    expect(result.success).toBe(true);
    const thought = result.records[0]!.metadata!.thoughtProcess!;
    expect(thought).toContain('The goal names the button.');
    expect(thought).toMatch(/\[rejected: unknown_tool: .*click/);
    expect(thought).toMatch(/\[rejected: invalid_arguments: /);
    expect(thought).toContain('The argument is "label".');
    expect(result.records[0]!.decision!.policy).toBe('language-model:openai-compatible:xlam-2-8b');

    // What went over the wire: the persona and tool schemas first, then each error as a tool result.
    const requests = server.requests;
    expect(requests).toHaveLength(3);
    const first = messagesOf(requests[0]!);
    expect(first[0]!.content).toMatch(/You are Form Filler.*Identifies and completes input fields/);
    expect(requests[0]!.body?.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'click',
          description: 'Click the button with this label.',
          parameters: expect.objectContaining({ type: 'object' }),
        },
      },
    ]);
    expect(requests[0]!.body?.temperature).toBe(0);
    const last = messagesOf(requests[2]!);
    const toolResults = last.filter((m) => m.role === 'tool') as { tool_call_id: string; content: string }[];
    expect(toolResults.map((m) => JSON.parse(m.content).error.code)).toEqual([
      'unknown_tool',
      'invalid_arguments',
    ]);
    expect(toolResults[0]!.content).toContain('click');
    expect(transcripts[0]!.attempts.map((a) => a.error?.code)).toEqual([
      'unknown_tool',
      'invalid_arguments',
      undefined,
    ]);
    expect(transcripts[0]!.fallback).toBe(false);
  });

  it('stops after maxCorrections: takes the closest action and says so, or throws when asked to', async () => {
    // A valid call, but for a button that is not on the page: corrected, never fixed.
    server = await startScriptedServer(() => ({
      json: completion({
        content: 'I will press it.',
        toolCalls: [{ name: 'click', arguments: { label: 'Nonexistent' } }],
      }),
    }));
    const backend = new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'm' });
    const transcripts: DecisionTranscript[] = [];
    const policy = new LanguageModelPolicy({
      backend,
      tools: [click],
      maxCorrections: 1,
      onTranscript: (t) => transcripts.push(t),
    });
    const result = await runEpisode({
      environment: conventionWorld(),
      task: lexicalTask(4),
      policy,
      selector: formFiller,
      random: new Mulberry32(2),
      episodeId: 'exhausted',
      explore: true,
    });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body?.temperature).toBe(0.7);
    expect(transcripts[0]!.fallback).toBe(true);
    expect(transcripts[0]!.attempts[0]!.error!.message).toMatch(/not one of the actions available now/);
    expect(result.records[0]!.metadata!.thoughtProcess).toMatch(
      /no acceptable call after 2 attempts: took the closest action/,
    );

    const strict = new LanguageModelPolicy({
      backend,
      tools: [click],
      maxCorrections: 0,
      onExhausted: 'throw',
    });
    const task = lexicalTask(5);
    const session = await conventionWorld().start(task);
    const observation = await session.observe();
    const error = await strict
      .decide({
        task,
        self: 'Form_Filler',
        observation,
        history: [],
        candidates: session.candidates(observation),
        explore: false,
        uniform: 0.5,
      })
      .catch((e: unknown) => e);
    expect(LanguageModelError.isInstance(error) && error.code).toBe('no-valid-call');
  });

  it('switches to text tool calls when the server has no tool calling, parsing the call from the reply', async () => {
    server = await startScriptedServer((request) => {
      if (request.body?.tools) {
        return {
          status: 400,
          json: { error: { message: 'tools param requires --jinja flag', type: 'invalid_request_error' } },
        };
      }
      return {
        json: completion({
          content: `The goal says which one.\n{"tool": "click", "args": {"label": "${targetOf(request)}"}}`,
        }),
      };
    });
    const policy = new LanguageModelPolicy({
      backend: new OpenAICompatibleBackend({ baseUrl: `${server.url}/v1`, model: 'm' }),
      tools: [click],
    });
    const result = await runEpisode({
      environment: conventionWorld(),
      task: lexicalTask(6),
      policy,
      selector: formFiller,
      random: new Mulberry32(3),
      episodeId: 'text-mode',
      explore: false,
    });
    expect(result.success).toBe(true);
    expect(policy.toolCallingMode).toBe('text');
    expect(result.records[0]!.metadata!.thoughtProcess).toBe('The goal says which one.');
    const textRequest = server.requests[1]!;
    expect(messagesOf(textRequest)[0]!.content).toMatch(
      /Tools:\nclick\(\{label: string\}\): Click the button/,
    );
  });
});
