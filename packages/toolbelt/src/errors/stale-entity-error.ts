/**
 * A short entity id (`e12`) that no longer points at anything: the page was re-rendered, the tab
 * navigated, the id came from another scope, or it was never issued. Thrown by
 * EntityRegistry.resolve; inside a handler it becomes a `stale_entity` result telling the model to
 * observe again.
 */
import { ToolCallError } from './tool-call-error';
import { hasMarker } from './toolbelt-error';

const marker = 'chimera.error.StaleEntityError';
const symbol = Symbol.for(marker);

export type StaleEntityReason = 'stale' | 'other_scope' | 'unknown';

export class StaleEntityError extends ToolCallError {
  // The brand that isInstance checks (see hasMarker).
  protected readonly [symbol] = true;
  readonly id: string;
  readonly scope: string;
  readonly reason: StaleEntityReason;

  constructor(
    id: string,
    scope: string,
    reason: StaleEntityReason,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super('stale_entity', message, { details: { id, scope, reason, ...details } });
    this.name = 'StaleEntityError';
    this.id = id;
    this.scope = scope;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is StaleEntityError {
    return hasMarker(error, marker);
  }
}
