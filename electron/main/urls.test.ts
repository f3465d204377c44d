import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  isAllowedExternalUrl,
  isOwnUrl,
  originOf,
  ownOrigins,
  resolveAppFile,
} from './urls';

describe('originOf / isOwnUrl', () => {
  it('gives app:// an origin (Node would say "null")', () => {
    expect(originOf('app://poolscope/index.html')).toBe('app://poolscope');
    expect(originOf('http://localhost:5173/src/main.tsx')).toBe('http://localhost:5173');
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });

  it('accepts only our origins', () => {
    const origins = ownOrigins('http://localhost:5173/');
    expect(origins).toEqual([APP_ORIGIN, 'http://localhost:5173']);
    expect(isOwnUrl('app://poolscope/index.html', origins)).toBe(true);
    expect(isOwnUrl('http://localhost:5173/', origins)).toBe(true);
    expect(isOwnUrl('http://localhost:5174/', origins)).toBe(false);
    expect(isOwnUrl('app://evil/index.html', origins)).toBe(false);
    expect(isOwnUrl('file:///etc/passwd', origins)).toBe(false);
    expect(isOwnUrl('https://poolscope/', origins)).toBe(false);
  });

  it('has no dev origin in production', () => {
    expect(ownOrigins(undefined)).toEqual([APP_ORIGIN]);
    expect(isOwnUrl('http://localhost:5173/', ownOrigins(undefined))).toBe(false);
  });
});

describe('isAllowedExternalUrl', () => {
  it('allows allow-listed https hosts', () => {
    expect(isAllowedExternalUrl('https://ui.perfetto.dev/')).toBe(true);
    expect(isAllowedExternalUrl('https://docs.python.org/3/library/multiprocessing.html')).toBe(true);
  });

  it.each([
    ['http, not https', 'http://ui.perfetto.dev/'],
    ['another host', 'https://example.com/'],
    ['a lookalike subdomain', 'https://ui.perfetto.dev.example.com/'],
    ['a parent domain', 'https://perfetto.dev/'],
    ['credentials', 'https://user:pw@ui.perfetto.dev/'],
    ['a port', 'https://ui.perfetto.dev:8443/'],
    ['file:', 'file:///etc/passwd'],
    ['javascript:', 'javascript:alert(1)'],
    ['a custom scheme', 'app://poolscope/index.html'],
    ['garbage', 'ui.perfetto.dev'],
  ])('refuses %s', (_why, url) => {
    expect(isAllowedExternalUrl(url)).toBe(false);
  });
});

describe('resolveAppFile', () => {
  const root = resolve('/srv/out/renderer');

  it('maps app:// paths into the root, / to index.html', () => {
    expect(resolveAppFile(root, 'app://poolscope/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://poolscope/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://poolscope/assets/index-abc.js?v=1#x')).toBe(join(root, 'assets/index-abc.js'));
    expect(resolveAppFile(root, 'app://poolscope/assets/a%20b.css')).toBe(join(root, 'assets/a b.css'));
  });

  it('keeps dot segments inside the root (URL parsing collapses them at the root)', () => {
    expect(resolveAppFile(root, 'app://poolscope/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(resolveAppFile(root, 'app://poolscope/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc/passwd'));
  });

  it.each([
    ['an encoded separator', 'app://poolscope/..%2f..%2fetc%2fpasswd'],
    ['an encoded backslash', 'app://poolscope/..%5c..%5csecret'],
    ['a NUL byte', 'app://poolscope/index.html%00.png'],
    ['a malformed escape', 'app://poolscope/%E0%A4%A'],
    ['another host', 'app://other/index.html'],
    ['another scheme', 'file:///srv/out/renderer/index.html'],
  ])('refuses %s', (_why, url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });
});

describe('contentSecurityPolicy', () => {
  it('is strict in production', () => {
    const csp = contentSecurityPolicy(false);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-eval');
  });

  it("relaxes only script-src in development, for Vite's inline refresh preamble", () => {
    const prod = contentSecurityPolicy(false).split('; ');
    const dev = contentSecurityPolicy(true).split('; ');
    expect(dev.filter((d) => !prod.includes(d))).toEqual(["script-src 'self' 'unsafe-inline'"]);
  });
});
