/**
 * Where the agent may browse. Only http(s) URLs whose origin is listed pass; `file:`, `chrome:`,
 * `javascript:`, `data:` and every other scheme are refused. The list is enforced three times: by
 * the navigation tools, by a TAL guard, and by a request filter in the browser context that aborts
 * any request to another origin (so a link on a page, or text on a page that talks the agent into
 * going elsewhere, cannot take it off the list).
 */
import type { ToolGuard } from '../index';

export type AllowlistVerdict = { allowed: true; url: URL } | { allowed: false; reason: string };

export class OriginAllowlist {
  readonly #exact = new Set<string>();
  /** `scheme://host` of entries written with a `:*` port wildcard. */
  readonly #anyPort = new Set<string>();

  /**
   * @param origins exact origins (`http://127.0.0.1:8080`, `https://example.com`), or an origin with
   *   the port written as `*` (`http://localhost:*`) to allow every port of that host.
   */
  constructor(origins: readonly string[]) {
    for (const entry of origins) this.add(entry);
  }

  add(entry: string): void {
    const wildcard = /^(https?):\/\/([^/:]+|\[[^\]]+\]):\*$/i.exec(entry.trim());
    if (wildcard) {
      this.#anyPort.add(`${wildcard[1]!.toLowerCase()}://${wildcard[2]!.toLowerCase()}`);
      return;
    }
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new TypeError(`allowlist entry "${entry}" is not an origin such as http://127.0.0.1:8080`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`allowlist entry "${entry}" must be an http or https origin`);
    }
    this.#exact.add(url.origin);
  }

  get origins(): string[] {
    return [...this.#exact, ...[...this.#anyPort].map((o) => `${o}:*`)];
  }

  check(raw: string): AllowlistVerdict {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { allowed: false, reason: `"${raw}" is not an absolute URL (write it as http://host/path)` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return {
        allowed: false,
        reason: `the ${url.protocol} scheme is not allowed; only http(s) pages on the allowlist are`,
      };
    }
    if (this.#exact.has(url.origin) || this.#anyPort.has(`${url.protocol}//${url.hostname}`)) {
      return { allowed: true, url };
    }
    return {
      allowed: false,
      reason: `${url.origin} is not on the allowlist (${this.origins.join(', ') || 'empty'})`,
    };
  }
}

/** A TAL guard refusing any call whose `url` argument is off the allowlist. */
export function originGuard(allowlist: OriginAllowlist): ToolGuard {
  return {
    name: 'origin-allowlist',
    check(request) {
      const url = (request.args as { url?: unknown } | undefined)?.url;
      if (typeof url !== 'string') return undefined;
      const verdict = allowlist.check(url);
      return verdict.allowed
        ? undefined
        : { allow: false, reason: `Navigation refused: ${verdict.reason}.`, details: { url } };
    },
  };
}
