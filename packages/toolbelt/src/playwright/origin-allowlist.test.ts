import { describe, expect, it } from 'vitest';
import { OriginAllowlist, originGuard } from './origin-allowlist';

describe('OriginAllowlist', () => {
  const list = new OriginAllowlist(['http://127.0.0.1:8080', 'https://example.com', 'http://localhost:*']);

  it('allows listed origins, and any port where the entry says :*', () => {
    expect(list.check('http://127.0.0.1:8080/shop?q=1').allowed).toBe(true);
    expect(list.check('https://example.com/a').allowed).toBe(true);
    expect(list.check('http://localhost:3000/').allowed).toBe(true);
    expect(list.check('http://localhost/').allowed).toBe(true);
  });

  it('refuses other origins, ports, schemes and relative URLs, saying why', () => {
    const refused = (url: string) => {
      const verdict = list.check(url);
      if (verdict.allowed) throw new Error(`${url} was allowed`);
      return verdict.reason;
    };
    expect(refused('http://127.0.0.1:9090/')).toMatch(/not on the allowlist/);
    expect(refused('http://example.com/')).toMatch(/not on the allowlist/);
    expect(refused('https://example.com.evil.org/')).toMatch(/not on the allowlist/);
    expect(refused('file:///etc/passwd')).toMatch(/file: scheme is not allowed/);
    expect(refused('chrome://version')).toMatch(/chrome: scheme/);
    expect(refused('javascript:alert(1)')).toMatch(/javascript: scheme/);
    expect(refused('data:text/html,hi')).toMatch(/data: scheme/);
    expect(refused('/relative')).toMatch(/not an absolute URL/);
  });

  it('rejects bad entries when it is built', () => {
    expect(() => new OriginAllowlist(['example.com'])).toThrow(/not an origin/);
    expect(() => new OriginAllowlist(['ftp://example.com'])).toThrow(/http or https/);
  });

  it('works as a TAL guard on any call with a url argument', async () => {
    const guard = originGuard(list);
    const request = (args: unknown) => ({ tool: {} as never, args });
    expect(await guard.check(request({ url: 'http://127.0.0.1:8080/' }))).toBeUndefined();
    expect(await guard.check(request({ id: 'e1' }))).toBeUndefined();
    expect(await guard.check(request({ url: 'http://evil.example/' }))).toMatchObject({
      allow: false,
      reason: expect.stringMatching(/^Navigation refused: http:\/\/evil\.example is not on the allowlist/),
    });
  });
});
