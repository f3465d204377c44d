/**
 * The production renderer is served from app://poolscope/, not file://: a
 * standard, secure origin of its own, so 'self' in the CSP means exactly our
 * files and the page gets no file:// privileges.
 */
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import { APP_SCHEME, contentSecurityPolicy, resolveAppFile } from './urls';

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves files from `rendererDir` (out/renderer) on app://, each response carrying the CSP. */
export function setupAppProtocol(rendererDir: string): void {
  const csp = contentSecurityPolicy(false);
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response(null, { status: 404 });
    let response: Response;
    try {
      // net.fetch reads inside app.asar and sets the Content-Type from the extension.
      response = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return new Response(null, { status: 404 });
    }
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
