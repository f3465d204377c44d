/**
 * What the page may do beyond rendering: nothing, by default. Permission
 * requests and checks are refused (Electron grants them unless told otherwise),
 * navigation away and new windows are refused, and links leave the app only to
 * allow-listed https sites, in the user's browser.
 */
import { shell, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy, isAllowedExternalUrl, originOf } from './urls';

/** Opens a link in the user's browser if the allow-list permits it. */
export function openExternalSafely(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
}

/**
 * Denies every permission, and puts the CSP on the dev server's responses (the
 * app:// protocol sets it on its own responses).
 */
export function setupSessionSecurity(session: Session, devServerUrl: string | undefined): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  const devOrigin = devServerUrl ? originOf(devServerUrl) : null;
  if (devOrigin) {
    const csp = contentSecurityPolicy(true);
    session.webRequest.onHeadersReceived({ urls: [`${devOrigin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
}

/** The page can neither navigate away nor open windows; allow-listed links open in the browser instead. */
export function setupNavigationGuards(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternalSafely(event.url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
}
