/**
 * The browser could not be started: no Chromium at the configured path, or playwright-core is not
 * installed. A program/setup error (thrown), not something a model's call caused.
 */
import { ToolbeltError } from '../index';

const marker = 'chimera.error.BrowserLaunchError';
const symbol = Symbol.for(marker);

export class BrowserLaunchError extends ToolbeltError {
  private readonly [symbol] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrowserLaunchError';
  }

  static override isInstance(error: unknown): error is BrowserLaunchError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
