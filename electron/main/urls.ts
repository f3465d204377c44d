/**
 * Which URLs are ours, which files the app:// protocol may serve, which external
 * links may open, and the page's Content Security Policy. Pure: no Electron, so
 * every rule here is unit-tested.
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** The renderer's scheme in production (a standard, secure scheme; not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'poolscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * `scheme://host[:port]` of a URL, or null when it has none. Computed by hand
 * because Node's URL gives non-special schemes (app:) the opaque origin 'null'.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : null;
  } catch {
    return null;
  }
}

/** The origins our window may show: app:// in production, the Vite dev server in development. */
export function ownOrigins(devServerUrl: string | undefined): string[] {
  const dev = devServerUrl ? originOf(devServerUrl) : null;
  return dev ? [APP_ORIGIN, dev] : [APP_ORIGIN];
}

export function isOwnUrl(url: string, origins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && origins.includes(origin);
}

/** Hosts that `shell.openExternal` may open (docs the app links to; trace viewer). */
export const EXTERNAL_HOSTS: readonly string[] = ['ui.perfetto.dev', 'docs.python.org', 'www.electronjs.org'];

/**
 * Whether a link may leave the app for the user's browser: https only, an
 * allow-listed host on the default port, and no credentials in the URL.
 */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    hosts.includes(parsed.hostname)
  );
}

/**
 * The file an app:// request maps to inside `root`, or null when the request is
 * not ours or would escape `root` (`..`, encoded separators, NUL bytes).
 * `/` serves index.html.
 */
export function resolveAppFile(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null; // malformed %-escape
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${pathname}`);
  const inside = relative(base, file);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
  return file;
}

/**
 * The renderer's CSP. Development relaxes exactly one thing: the React refresh
 * preamble that Vite injects is an inline script.
 */
export function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
