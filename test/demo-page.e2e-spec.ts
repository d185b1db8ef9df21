import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after as afterAll, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CODE_ALPHABET } from 'nest-protection';
import { launchBrowser } from './helpers/browser';
import { request } from './helpers/http';
import { PLATFORMS, startDemo, type RunningApp } from './helpers/platforms';

/*
 * The demo's landing page in Chromium: every card is clicked as a person would, and what the
 * card shows (status, headers, body) is checked. The Fastify run saves docs/demo.png.
 */

// Compiled to dist/test: the screenshot lives in the source tree.
const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'demo.png');
const WAIT = 10_000;

/** What a `.result` block shows. */
interface Shown {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function read(page: Page, id: string): Promise<Shown> {
  const box = page.locator('#' + id);
  const headers: Record<string, string> = {};
  for (const dd of await box.locator('dd').all())
    headers[(await dd.getAttribute('data-header')) ?? ''] = (await dd.textContent()) ?? '';
  return {
    status: Number(await box.getAttribute('data-status')),
    headers,
    body: (await box.locator('pre.body').textContent()) ?? '',
  };
}

/** Clicks #button and waits until the result block #result has been rendered once more. */
async function click(page: Page, button: string, result: string): Promise<Shown> {
  const seq = Number((await page.locator('#' + result).getAttribute('data-seq')) ?? 0);
  await page.click('#' + button);
  await page.locator(`#${result}[data-seq="${seq + 1}"]`).waitFor({ timeout: WAIT });
  return read(page, result);
}

const json = (shown: Shown): Record<string, unknown> =>
  JSON.parse(shown.body) as Record<string, unknown>;

/**
 * The statuses the cards provoke on purpose: Chromium logs each 4xx answer to a fetch as a
 * console error ("Failed to load resource"), so these are expected, and nothing else is.
 */
const EXPECTED_FAILURES: Record<string, number[]> = {
  '/metrics': [404],
  '/test/captcha-30.json': [406],
  '/test/righter.json': [409],
  '/test/page-budget.json': [429],
  '/test/rate-limit.json': [429],
  '/test/login.json': [401, 429],
  '/test/signed.json': [401],
};

/** A fresh context and page on `url`, collecting page errors and unexpected console errors. */
async function openPage(
  browser: Browser,
  url: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const failed = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(
      m.text(),
    );
    const path = new URL(m.location().url || 'about:blank').pathname;
    if (failed && EXPECTED_FAILURES[path]?.includes(Number(failed[1]))) return;
    errors.push(`${m.text()} (${m.location().url})`);
  });
  await page.goto(url + '/');
  return { context, page, errors };
}

describe('demo landing page in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser.close());

  for (const platform of PLATFORMS) {
    describe(platform, () => {
      let app: RunningApp;
      /** The same demo serving CAPTCHA codes as text, so the test can type the code. */
      let plain: RunningApp;
      let context: BrowserContext;
      let page: Page;
      let errors: string[];
      before(async () => {
        [app, plain] = await Promise.all([
          startDemo({ platform }),
          startDemo({ platform, captchaPlaintext: true }),
        ]);
        ({ context, page, errors } = await openPage(browser, app.url));
      });
      afterAll(async () => {
        await context.close();
        await Promise.all([app.close(), plain.close()]);
      });

      it('serves the page, its script and style, and names the platform', async () => {
        assert.equal(await page.title(), 'nest-protection demo');
        const expected = platform === 'express' ? 'Express' : 'Fastify';
        assert.equal(await page.locator('#platform').textContent(), expected);
        assert.equal(await page.locator('header a[href="/docs"]').count(), 1);
        assert.equal(await page.locator('section.card').count(), 9);
      });

      it('@Debounce: submitted twice with reuse, the handler runs once and one answer is X-Debounce: reused; without reuse the second gets 208', async () => {
        await click(page, 'debounce-reuse', 'debounce-2');
        const pair = [await read(page, 'debounce-1'), await read(page, 'debounce-2')];
        assert.deepEqual(
          pair.map((r) => r.status),
          [200, 200],
        );
        assert.match(pair[0]!.body, /^slow::\d+$/);
        assert.equal(pair[0]!.body, pair[1]!.body, 'one handler run, one answer');
        assert.deepEqual(pair.map((r) => r.headers['x-debounce']).sort(), ['-', 'reused']);

        await click(page, 'debounce-nore', 'debounce-2');
        const nore = [await read(page, 'debounce-1'), await read(page, 'debounce-2')].sort(
          (a, b) => a.status - b.status,
        );
        assert.deepEqual(
          nore.map((r) => r.status),
          [200, 208],
        );
        assert.match(nore[0]!.body, /^demo::\d+::$/);
        assert.equal(json(nore[1]!).code, 'DEBOUNCED');
        assert.match(nore[1]!.headers['retry-after'] ?? '', /^\d+$/);
      });

      it('@DoubleKill: the job answers 202 with a progress key, a second click 202 with the same key, and the bar reaches 100 %', async () => {
        await page.fill('#dk-seconds', '3');
        const started = await click(page, 'dk-start', 'dk-result');
        assert.equal(started.status, 202);
        const key = json(started).key;
        assert.equal(typeof key, 'string');
        assert.equal(json(started).code, 'DOUBLE_KILLED');

        const again = await click(page, 'dk-start', 'dk-result');
        assert.equal(again.status, 202);
        assert.equal(json(again).key, key, 'the running job, not a second one');
        assert.match((await page.locator('#dk-note').textContent()) ?? '', /already running/);

        await page
          .locator('#dk-state')
          .filter({ hasText: /^done$/ })
          .waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('#dk-percent').textContent(), '100 %');
        assert.equal(await page.locator('#dk-bar').getAttribute('value'), '100');
        const record = await read(page, 'dk-progress');
        assert.equal(record.status, 200);
        assert.equal(json(record).key, key);
        assert.equal(json(record).done, true);
        const polls = Number(await page.locator('#dk-progress').getAttribute('data-seq'));
        assert.ok(polls >= 2, `progress polled while running (${polls} reads)`);
      });

      it('@FirstBlood: a free login, then 406 with a Client-Ticket, the CAPTCHA image, and 406 again for a wrong code', async () => {
        const free = await click(page, 'fb-login', 'fb-result');
        assert.deepEqual([free.status, free.body], [200, 'captcha-30']);
        assert.equal(await page.locator('#fb-captcha').isHidden(), true);

        const challenged = await click(page, 'fb-login', 'fb-result');
        assert.equal(challenged.status, 406);
        assert.equal(json(challenged).code, 'CAPTCHA_REQUIRED');
        assert.notEqual(challenged.headers['client-ticket'] ?? '-', '-', 'Client-Ticket shown');
        await page.locator('#fb-image-result[data-seq="1"]').waitFor({ timeout: WAIT });
        const image = await read(page, 'fb-image-result');
        assert.equal(image.status, 200);
        assert.equal(image.headers['content-type'], 'image/svg+xml');
        await page.waitForFunction(
          "(() => { const i = document.getElementById('fb-image'); return !i.hidden && i.complete && i.naturalWidth > 0; })()",
          undefined,
          { timeout: WAIT },
        );

        // '1' is not in the code alphabet: certainly wrong.
        assert.equal(CODE_ALPHABET.includes('1'), false);
        await page.fill('#fb-code', '1111');
        const wrong = await click(page, 'fb-submit', 'fb-result');
        assert.equal(wrong.status, 406);
        await page.locator('#fb-image-result[data-seq="2"]').waitFor({ timeout: WAIT });
      });

      it('@FirstBlood: the code typed in (demo serving codes as text) lets the login through', async () => {
        const other = await openPage(browser, plain.url);
        try {
          const p = other.page;
          assert.equal((await click(p, 'fb-login', 'fb-result')).status, 200, 'free pass');
          assert.equal((await click(p, 'fb-login', 'fb-result')).status, 406);
          await p.locator('#fb-image-result[data-seq="1"]').waitFor({ timeout: WAIT });
          const code = ((await p.locator('#fb-plain').textContent()) ?? '').trim();
          assert.match(code, new RegExp(`^[${CODE_ALPHABET}]{4}$`));
          assert.equal(await p.locator('#fb-plain').isVisible(), true);
          await p.fill('#fb-code', code);
          const ok = await click(p, 'fb-submit', 'fb-result');
          assert.deepEqual([ok.status, ok.body], [200, 'captcha-30']);
          assert.equal(await p.locator('#fb-captcha').isHidden(), true);
          assert.deepEqual(other.errors, []);
        } finally {
          await other.context.close();
        }
      });

      it('@Righter: the edit form gets a Right-Editor token, saving returns the sealed data, a tampered token gets 409', async () => {
        const edit = await click(page, 'rt-load', 'rt-result');
        assert.equal(edit.status, 200);
        assert.deepEqual(json(edit), { uid: 1, perms: ['a', 'b'] });
        const token = edit.headers['right-editor'] ?? '-';
        assert.notEqual(token, '-', 'Right-Editor shown');
        assert.equal(await page.locator('#rt-token').inputValue(), token);

        await page.fill('#rt-uid', '2');
        const saved = await click(page, 'rt-save', 'rt-result');
        assert.equal(saved.status, 200);
        assert.deepEqual(
          json(saved),
          { uid: 1, perms: ['a', 'b'] },
          'the sealed uid, not the form',
        );

        const forged = await click(page, 'rt-tamper', 'rt-result');
        assert.equal(forged.status, 409);
        assert.equal(json(forged).code, 'FORGERY');
      });

      it('@PageDefault: pages through page-result.json, then page-budget.json until 429 SCRAPING_BUDGET', async () => {
        await page.fill('#pg-total', '35');
        const first = await click(page, 'pg-load', 'pg-result');
        assert.equal(first.status, 200);
        assert.equal(await page.locator('#pg-table td').count(), 10);
        assert.equal(await page.locator('#pg-info').textContent(), 'page 1 of 4 (35 rows)');
        for (let i = 0; i < 3; i++) await click(page, 'pg-next', 'pg-result');
        assert.equal(await page.locator('#pg-info').textContent(), 'page 4 of 4 (35 rows)');
        assert.deepEqual(await page.locator('#pg-table td').allTextContents(), [
          '31',
          '32',
          '33',
          '34',
          '35',
        ]);
        await click(page, 'pg-prev', 'pg-result');
        assert.equal(await page.locator('#pg-info').textContent(), 'page 3 of 4 (35 rows)');

        await page.selectOption('#pg-source', 'budget');
        const budget = [await click(page, 'pg-load', 'pg-result')];
        for (let i = 0; i < 5; i++) budget.push(await click(page, 'pg-next', 'pg-result'));
        assert.deepEqual(
          budget.map((r) => r.status),
          [200, 200, 200, 200, 200, 429],
        );
        assert.equal(budget[0]!.headers['ratelimit-policy'], '"page-budget";q=50;w=60');
        assert.match(budget[4]!.headers['ratelimit'] ?? '', /^"page-budget";r=0;t=\d+$/);
        const refused = budget[5]!;
        assert.equal(json(refused).code, 'SCRAPING_BUDGET');
        assert.match(refused.headers['retry-after'] ?? '', /^\d+$/);
        assert.equal(refused.headers['ratelimit-policy'], '"page-budget";q=50;w=60');
        assert.equal(await page.locator('#pg-info').textContent(), 'page 5 of 200 (2000 rows)');
      });

      it('@RateLimit: 5 calls count down, the 6th is 429 with Retry-After; 3 wrong passwords, then 429', async () => {
        const calls: Shown[] = [];
        for (let i = 0; i < 6; i++) calls.push(await click(page, 'rl-get', 'rl-result'));
        assert.deepEqual(
          calls.map((r) => r.status),
          [200, 200, 200, 200, 200, 429],
        );
        assert.deepEqual(
          calls.map((r) => /r=(\d+)/.exec(r.headers['ratelimit'] ?? '')?.[1]),
          ['4', '3', '2', '1', '0', '0'],
        );
        assert.equal(calls[0]!.headers['ratelimit-policy'], '"demo";q=5;w=10');
        assert.equal(calls[0]!.headers['retry-after'], '-');
        assert.match(calls[5]!.headers['retry-after'] ?? '', /^\d+$/);
        assert.equal(json(calls[5]!).code, 'TOO_MANY_REQUESTS');

        const logins: number[] = [];
        for (let i = 0; i < 4; i++)
          logins.push((await click(page, 'rl-login', 'rl-login-result')).status);
        assert.deepEqual(logins, [401, 401, 401, 429]);
        await page.fill('#rl-password', 'right');
        const right = await click(page, 'rl-login', 'rl-login-result');
        assert.equal(right.status, 429, 'whatever the password once over the limit');
        assert.equal(right.headers['ratelimit-policy'], '"login";q=3;w=60');
      });

      it('@Signed: the framed page signs its call (200); an unsigned call gets 401 SIGNATURE_MISSING', async () => {
        await page.click('#sg-load');
        const result = page.locator('#sg-page-result[data-status]');
        await result.waitFor({ timeout: WAIT });
        assert.equal(await result.textContent(), '200 {"ok":true}');
        const unsigned = await click(page, 'sg-unsigned', 'sg-unsigned-result');
        assert.equal(unsigned.status, 401);
        assert.equal(json(unsigned).code, 'SIGNATURE_MISSING');
      });

      it('shows live overload stats and the metrics card (not enabled while /metrics is 404)', async () => {
        const served = page.locator('#ov-table td[data-field="served"]');
        await served.waitFor({ timeout: WAIT });
        const before = Number(await served.textContent());
        await page.waitForFunction(
          `Number(document.querySelector('#ov-table td[data-field="served"]').textContent) > ${before}`,
          undefined,
          { timeout: WAIT },
        );
        assert.equal((await read(page, 'ov-result')).status, 200);

        await page.locator('#mx-result[data-seq]').waitFor({ timeout: WAIT });
        const metrics = await read(page, 'mx-result');
        const note = (await page.locator('#mx-note').textContent()) ?? '';
        if (metrics.status === 404) {
          assert.equal(note, 'Metrics are not enabled: GET /metrics answered 404.');
          assert.equal(await page.locator('#mx-lines').isHidden(), true);
        } else {
          assert.equal(metrics.status, 200);
          const lines = ((await page.locator('#mx-lines').textContent()) ?? '').split('\n');
          assert.ok(
            lines.every((l) => l.startsWith('protection_')),
            lines.join('\n'),
          );
        }
      });

      it('/metrics then counts decisions of every protection the page used, by route pattern only', async () => {
        const text = (await request(app.url + '/metrics')).text;
        const counts = new Map<string, number>();
        const routes = new Set<string>();
        for (const m of text.matchAll(/^protection_decisions(?:_total)?\{([^}]*)\} (\S+)/gm)) {
          const labels = Object.fromEntries(
            [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
          );
          counts.set(labels.protection!, (counts.get(labels.protection!) ?? 0) + Number(m[2]));
          routes.add(labels.route!);
        }
        for (const protection of [
          'debounce',
          'doubleKill',
          'firstBlood',
          'righter',
          'rateLimit',
          'signed',
          'pageBudget',
          'overload',
        ])
          assert.ok((counts.get(protection) ?? 0) > 0, `${protection}: ${text.slice(0, 2000)}`);
        // Patterns, never raw URLs: no query strings, no progress keys or ids in the path.
        for (const route of routes) {
          assert.doesNotMatch(route, /\?/, route);
          assert.doesNotMatch(route, /\/test\/progress\/(?!:key)/, route);
        }
      });

      it('had no page errors and no console errors but the statuses the cards provoke', async () => {
        assert.deepEqual(errors, []);
        if (platform === 'fastify') {
          mkdirSync(dirname(SCREENSHOT), { recursive: true });
          await page.screenshot({ path: SCREENSHOT, fullPage: true });
        }
      });
    });
  }
});
