import { request as playwrightRequest } from '@playwright/test';
import { expect, test } from './fixtures';

test('the page loads with the token and the app renders, with no request refused or blocked', async ({
  page,
  hostUrl,
}) => {
  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) failures.push(message.text());
  });

  const response = await page.goto(hostUrl);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('#root')).not.toBeEmpty();
  // The icon the page names, and the one browsers ask for unasked, are both there.
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', './favicon.svg');
  for (const [path, type] of [
    ['favicon.svg', 'image/svg+xml'],
    ['favicon.ico', 'image/x-icon'],
  ]) {
    const icon = await page.request.get(new URL(path, page.url()).href);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toBe(type);
  }
  expect(failures).toEqual([]);
});

/** Opens a WebSocket from inside the page and asks for `info`: its answer, or 'closed' if refused. */
function infoFromPage(url: string): Promise<unknown> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, command: { name: 'info', args: [] } }));
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data);
      if (message.id === 1) resolve(message.result);
    };
    ws.onclose = () => resolve('closed');
  });
}

test('the page talks to the host over its WebSocket, by token or by cookie', async ({ page, browserHost }) => {
  await page.goto(browserHost.url);
  const info = { ok: true, value: { host: 'browser', backend: 'process' } };
  const ws = `ws://127.0.0.1:${browserHost.port}/ws`;
  expect(await page.evaluate(infoFromPage, `${ws}?token=${browserHost.token}`)).toMatchObject(info);
  expect(await page.evaluate(infoFromPage, ws)).toMatchObject(info);
});

test('the host refuses requests without the token (401) or with a wrong one (403)', async ({ browserHost }) => {
  // A fresh context: no cookie from an earlier visit.
  const api = await playwrightRequest.newContext();
  try {
    const base = `http://127.0.0.1:${browserHost.port}`;
    expect((await api.get(`${base}/`)).status()).toBe(401);
    expect((await api.get(`${base}/?token=${'0'.repeat(64)}`)).status()).toBe(403);
    expect((await api.get(`${base}/ws`)).status()).toBe(401);
  } finally {
    await api.dispose();
  }
});

test('a wrong token in the URL is refused even in a browser holding the cookie', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  const wrong = hostUrl.replace(/token=\w+/, `token=${'0'.repeat(64)}`);
  expect((await page.goto(wrong))?.status()).toBe(403);
  await expect(page.locator('#root')).toHaveCount(0);
});

test('a page from another origin cannot open the WebSocket, even knowing the token', async ({ page, browserHost }) => {
  await page.goto('about:blank');
  const url = `ws://127.0.0.1:${browserHost.port}/ws?token=${browserHost.token}`;
  expect(await page.evaluate(infoFromPage, url)).toBe('closed');
});
