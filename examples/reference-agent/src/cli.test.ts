import { describe, expect, it } from 'vitest';
import { parseCli } from './cli';

describe('chimera-agent command line', () => {
  it('defaults to run on both worlds', () => {
    const o = parseCli([]);
    expect(o).toMatchObject({
      command: 'run',
      env: 'both',
      cycles: 3,
      seed: 1,
      mode: 'pretty',
      fullPrecision: false,
    });
  });

  it('reads flags and modes', () => {
    expect(parseCli(['eval', '--env', 'web', '--seed', '4', '--jsonl', '--full-precision'])).toMatchObject({
      command: 'eval',
      env: 'web',
      seed: 4,
      mode: 'jsonl',
      fullPrecision: true,
    });
    expect(parseCli(['run', '--quiet'])).toMatchObject({ mode: 'quiet' });
  });

  it('explains bad input', () => {
    expect(parseCli(['--env', 'mars'])).toEqual({ error: '--env must be web, minecraft or both (got mars)' });
    expect(parseCli(['--cycles=-1'])).toEqual({ error: '--cycles must be a non-negative integer (got -1)' });
    expect(parseCli(['--backend', 'gpt'])).toMatchObject({
      error: expect.stringContaining('embedded, gguf:<model.gguf> or openai:<base URL>'),
    });
    expect(parseCli(['run', '--backend', 'gguf:/m.gguf'])).toMatchObject({
      error: expect.stringContaining('works with eval only'),
    });
    expect(
      parseCli(['eval', '--backend', 'openai:http://127.0.0.1:8080/v1', '--served-model', 'm']),
    ).toMatchObject({
      backend: 'openai:http://127.0.0.1:8080/v1',
      servedModel: 'm',
    });
    expect(parseCli(['--nope'])).toMatchObject({ error: expect.stringContaining('nope') });
  });
});
