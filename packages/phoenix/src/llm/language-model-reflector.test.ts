/**
 * The Reflector Self on a real in-process model: node-llama-cpp runs the tiny llama GGUF these
 * tests write (random weights, so the words are noise; what is tested is that they are the
 * model's, reach the objective, and come back the same on a second run), inside a real Phoenix
 * cycle on the toy world with chimera-nano, the SQLite store and file-backed Selves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { SqliteExperienceStore } from '@chimera/ues';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionWorld } from '../__fixtures__/convention-world';
import { FileSelves, TagController } from '../__fixtures__/file-selves';
import { runPhoenix } from '../cycle';
import { EmbeddedPolicy } from '../embedded-policy';
import type { ChatBackend } from './chat-types';
import { LanguageModelReflector } from './language-model-reflector';
import { NodeLlamaCppBackend } from './node-llama-cpp-backend';
import { writeTinyLlama, writeTinyLlamaLora } from './tiny-llama';

let dir: string;
let model: NanoPolicyModel;
let backend: NodeLlamaCppBackend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chimera-reflector-'));
  await writeTinyLlama(join(dir, 'tiny.gguf'));
  await writeTinyLlamaLora(join(dir, 'reflector.gguf'), { seed: 5 });
  model = await NanoPolicyModel.create();
  backend = new NodeLlamaCppBackend({
    modelPath: join(dir, 'tiny.gguf'),
    adapters: { Reflector_Self: join(dir, 'reflector.gguf') },
    contextSize: 1024,
    maxContexts: 1,
    maxTokens: 24,
    gpu: false,
    threads: 1,
  });
});

afterAll(async () => {
  await backend?.dispose();
  await model?.release();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The real backend, with every reply it gave recorded. */
function recording(replies: string[]): ChatBackend {
  return {
    name: backend.name,
    chat: async (request) => {
      const reply = await backend.chat(request);
      expect(reply.model).toBe('reflector.gguf');
      replies.push(reply.content);
      return reply;
    },
  };
}

async function cycleWithReflector(stateDir: string, replies: string[]) {
  const store = await SqliteExperienceStore.open(join(stateDir, 'experiences.sqlite'));
  const selves = new FileSelves(join(stateDir, 'selves'), model, ['Form_Filler', 'Playwright_Navigator']);
  const controller = new TagController(selves, {
    'form-filling': 'Form_Filler',
    navigation: 'Playwright_Navigator',
  });
  const state = await runPhoenix({
    stateDir,
    environments: [conventionWorld()],
    store,
    model,
    policy: new EmbeddedPolicy({ model, adapterFor: (self) => selves.weights(self) }),
    controller,
    selves,
    cycles: 1,
    seed: 3,
    episodesPerCycle: 16,
    heldoutPerFamily: 2,
    validationPerFamily: 1,
    trainingSteps: 10,
    reflector: new LanguageModelReflector({ backend: recording(replies), maxTokens: 24 }),
  });
  await store.close();
  return state;
}

describe('LanguageModelReflector on a real in-process model', () => {
  it("words every Sleep objective with the model's own reply, the same on a second run", async () => {
    const replies: string[] = [];
    const first = await cycleWithReflector(join(dir, 'run-1'), replies);
    const objectives = first.cycles.flatMap((c) => c.objectives);
    expect(objectives.length).toBeGreaterThan(0);
    expect(replies).toHaveLength(objectives.length);
    objectives.forEach((o, i) => {
      expect(o.analyst, o.analysisNote).toBe('reflector');
      expect(replies[i]!.trim().length).toBeGreaterThan(0);
      expect(o.skillGap).toBe(replies[i]!.replace(/\s+/g, ' ').trim());
    });
    const again: string[] = [];
    const second = await cycleWithReflector(join(dir, 'run-2'), again);
    expect(second.cycles.flatMap((c) => c.objectives).map((o) => o.skillGap)).toEqual(
      objectives.map((o) => o.skillGap),
    );
  }, 120_000);
});
