import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './helpers/browser';
import { request } from './helpers/http';
import { PLATFORMS, startDemo, type RunningApp } from './helpers/platforms';

/*
 * The page script in a real browser: Chromium loads the signed page, its fetch is signed and
 * accepted; the very same request sent again from outside the browser is a replay.
 */

describe('signed page in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser.close());

  for (const platform of PLATFORMS) {
    describe(platform, () => {
      let app: RunningApp;
      before(async () => {
        app = await startDemo({ platform });
      });
      afterAll(() => app.close());

      it('the page signs its call, and the same request replayed outside the browser is refused', async () => {
        const context = await browser.newContext();
        // The demo has no icon: the browser's own favicon request is not the page's error.
        await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        const call = page.waitForRequest((r) => r.url().endsWith('/test/signed-browser.json'));
        await page.goto(app.url + '/test/signed-page.html');
        const sent = await call;
        const result = page.locator('#result');
        await result.filter({ hasNotText: 'pending' }).waitFor();
        const text = await result.textContent();
        assert.equal(text, '200 {"ok":true}', `page shows: ${text}`);
        assert.deepEqual(errors, []);

        const headers = await sent.allHeaders();
        assert.match(headers['signature-input'] ?? '', /keyid="page\./);
        const cookies = await context.cookies(app.url);
        const replay = await request(app.url + '/test/signed-browser.json', {
          headers: {
            'signature-input': headers['signature-input']!,
            signature: headers['signature']!,
            cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
          },
        });
        assert.equal(replay.status, 401, replay.text);
        assert.equal(replay.json().code, 'SIGNATURE_REPLAYED');
        await context.close();
      });
    });
  }
});
