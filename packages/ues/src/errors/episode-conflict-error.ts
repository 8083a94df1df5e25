import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.EpisodeConflictError');

/** A second episode-ending record arrived for an episode that has already ended. */
export class EpisodeConflictError extends UesError {
  private readonly [marker] = true;
  readonly episodeId: string;
  readonly agentId: string;

  constructor(episodeId: string, agentId: string, options?: { cause?: unknown }) {
    super(
      `episode ${episodeId} (agent ${agentId}) has already ended: only one record per episode and agent ` +
        'may carry an outcome; the batch was not written',
      options,
    );
    this.name = 'EpisodeConflictError';
    this.episodeId = episodeId;
    this.agentId = agentId;
  }

  static override isInstance(value: unknown): value is EpisodeConflictError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
