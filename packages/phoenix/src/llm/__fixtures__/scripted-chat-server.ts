/**
 * A test double of an OpenAI-compatible language-model server: a real HTTP server (node:http) on
 * loopback that speaks the chat-completions wire format, with replies scripted by the test. It
 * stands in for llama-server / vLLM, whose models cannot run here; it records every request so
 * tests can check what went over the wire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export type ScriptedAnswer = { status?: number; json?: unknown; text?: string } | 'hang';

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(
  handle: (request: RecordedRequest) => ScriptedAnswer | Promise<ScriptedAnswer>,
): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined,
    };
    requests.push(recorded);
    let answer: ScriptedAnswer;
    try {
      answer = await handle(recorded);
    } catch (error) {
      answer = {
        status: 500,
        json: { error: { message: `test double failed: ${(error as Error).message}` } },
      };
    }
    if (answer === 'hang') {
      hanging.add(res);
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(answer.text ?? JSON.stringify(answer.json ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A chat-completions response body. */
export function completion(reply: {
  content?: string | null;
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  reasoning?: string;
  model?: string;
}): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model: reply.model ?? 'test-model',
    choices: [
      {
        index: 0,
        finish_reason: reply.toolCalls?.length ? 'tool_calls' : 'stop',
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}),
          ...(reply.toolCalls
            ? {
                tool_calls: reply.toolCalls.map((c, i) => ({
                  id: c.id ?? `call_${i}`,
                  type: 'function',
                  function: {
                    name: c.name,
                    arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
                  },
                })),
              }
            : {}),
        },
      },
    ],
  };
}

/** A loopback URL where nothing listens (a port that was just freed). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
