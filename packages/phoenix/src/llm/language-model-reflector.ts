/**
 * The Reflector Self on a language model: Sleep hands it an objective's evidence (the target Self,
 * the family, failure rates, TD statistics, the situations where failures concentrate) and it
 * writes the skill gap in words. The statistical diagnosis still chooses what to learn and from
 * which mini-batch; the model only words it, so a weak model cannot derail learning.
 */
import type { Diagnosis } from '../sleep/diagnose';
import type { LearningObjective } from '../sleep/objective';
import type { Reflector } from '../sleep/reflector';
import type { ChatBackend, ChatMessage } from './chat-types';

export interface LanguageModelReflectorOptions {
  backend: ChatBackend;
  /** The Self whose adapter words the analysis (the backend maps it). Default `Reflector_Self`. */
  self?: string;
  /** Default 160. */
  maxTokens?: number;
  /** Default 0: the same evidence gives the same words, so a resumed run writes what it wrote. */
  temperature?: number;
}

/** The messages the Reflector sends for one objective. */
export function reflectionMessages(
  objective: Readonly<LearningObjective>,
  diagnosis: Readonly<Diagnosis>,
): ChatMessage[] {
  const e = objective.evidence;
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  const where =
    e.topFeatures.length > 0
      ? e.topFeatures.map(
          (f) =>
            `- ${f.feature}: ${f.samples} steps, ${pct(f.failureRate)} failing, mean |TD| ${f.meanAbsTd.toFixed(3)}`,
        )
      : ['- no situation stands out'];
  return [
    {
      role: 'system',
      content:
        'You are the Reflector Self of a learning agent. From the evidence of a replay mini-batch, state the skill gap of the target Self in one or two plain sentences: what it fails at, where, and the likely cause. Answer with the sentences only.',
    },
    {
      role: 'user',
      content: [
        `Target Self: ${objective.targetSelf}`,
        `Task family: ${objective.family} (${objective.environment})`,
        `Mini-batch #${objective.miniBatch.id}: ${e.samples} sampled steps from ${e.episodes} episodes, ${pct(e.failureRate)} of them in failed episodes`,
        `TD error: mean |TD| ${e.meanAbsTd.toFixed(3)}, max ${e.maxAbsTd.toFixed(3)}`,
        `Other gaps in the batch: ${
          diagnosis.groups
            .filter((g) => g.feature === null && g.family !== objective.family)
            .slice(0, 3)
            .map((g) => `${g.family} (${pct(g.failureRate)} failing)`)
            .join(', ') || 'none'
        }`,
        'Where failures concentrate:',
        ...where,
      ].join('\n'),
    },
  ];
}

export class LanguageModelReflector implements Reflector {
  readonly name: string;
  readonly #options: LanguageModelReflectorOptions;

  constructor(options: LanguageModelReflectorOptions) {
    this.#options = options;
    this.name = `${options.self ?? 'Reflector_Self'} on ${options.backend.name}`;
  }

  async reflect(input: {
    objective: Readonly<LearningObjective>;
    diagnosis: Readonly<Diagnosis>;
  }): Promise<{ skillGap: string } | undefined> {
    const reply = await this.#options.backend.chat({
      messages: reflectionMessages(input.objective, input.diagnosis),
      self: this.#options.self ?? 'Reflector_Self',
      maxTokens: this.#options.maxTokens ?? 160,
      temperature: this.#options.temperature ?? 0,
    });
    const text = reply.content.trim();
    return text.length > 0 ? { skillGap: text } : undefined;
  }
}
