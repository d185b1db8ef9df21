import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  CODE_ALPHABET,
  FirstBlood,
  ProtectionModule,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { eventually, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  startRedisPair,
  type RedisPair,
  type RunningApp,
} from './helpers/platforms';
import type { TestRedis } from './helpers/redis-server';

/* The CAPTCHA protocol step by step (406, ticket, image, code), and what a forged or replayed ticket earns. */

const plaintext = {
  render: (code: string) => ({ contentType: 'text/plain; charset=utf-8', body: code }),
};

@Controller('fb')
class CaptchaTestController {
  @Get('a')
  @FirstBlood()
  a(): string {
    return 'a';
  }

  @Get('b')
  @FirstBlood()
  b(): string {
    return 'b';
  }

  @Get('short')
  @FirstBlood({ blood: 1 })
  short(): string {
    return 'short';
  }

  @Get('retry2')
  @FirstBlood({ retry: 2 })
  retry2(): string {
    return 'retry2';
  }

  @Get('hosted')
  @FirstBlood({ scene: 'hosted' })
  hosted(): string {
    return 'hosted';
  }
}

@Module({})
class CaptchaTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: CaptchaTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [CaptchaTestController],
    };
  }
}

function assert406(r: Reply, label = '406'): string {
  assert.equal(r.status, 406, `${label}: ${r.status} ${r.text}`);
  assert.deepEqual(r.json(), {
    statusCode: 406,
    code: 'CAPTCHA_REQUIRED',
    message: 'need a verify code',
  });
  const ticket = r.headers.get('client-ticket');
  assert.ok(ticket, 'Client-Ticket header');
  const cookies = r.headers.getSetCookie();
  assert.equal(cookies.length, 1, `exactly one cookie: ${cookies.join(' | ')}`);
  assert.equal(cookies[0], `Client-Ticket=${ticket}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`);
  return ticket;
}

for (const platform of PLATFORMS) {
  describe(`@FirstBlood on ${platform}`, () => {
    let demo: RunningApp;
    let real: RunningApp;
    let app: RunningApp;
    const get = (
      base: string,
      path: string,
      headers: Record<string, string> = {},
      extra: { from?: string } = {},
    ): Promise<Reply> => request(base + path, { headers, ...extra });
    before(async () => {
      demo = await startDemo({ platform, captchaPlaintext: true });
      real = await startDemo({ platform });
      app = await startModule(
        CaptchaTestModule.with({
          firstBlood: {
            ...plaintext,
            handlers: [
              {
                accepts: (scene) => scene === 'hosted',
                handle: async (ctx) => ctx.request.headers['x-hosted-token'] === 'valid',
              },
            ],
          },
        }),
        platform,
      );
    });
    afterAll(() => Promise.all([demo.close(), real.close(), app.close()]));

    it('walks the protocol: 406 + ticket, image, pre-check, right code runs once', async () => {
      const ticket = assert406(await get(demo.url, '/test/captcha.json'));
      const t = { 'client-ticket': ticket };
      const image = await get(demo.url, '/test/captcha.json?quest-captcha-image=', t);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('cache-control'), 'no-store, no-cache, must-revalidate');
      assert.equal(image.headers.get('pragma'), 'no-cache');
      assert.equal(image.headers.get('expires'), '0');
      const code = image.text;
      assert.match(code, new RegExp(`^[${CODE_ALPHABET}]{4}$`));

      const pre = await get(demo.url, `/test/captcha.json?quest-captcha-image=${code}`, t);
      assert.deepEqual([pre.status, pre.text], [200, ''], 'pre-check: 200 empty, code kept');

      const ok = await get(
        demo.url,
        `/test/captcha.json?check-captcha-image=${code.toUpperCase()}`,
        t,
      );
      assert.deepEqual(
        [ok.status, ok.text],
        [200, 'captcha'],
        'right code (case-insensitive) runs the handler',
      );
      assert406(
        await get(demo.url, `/test/captcha.json?check-captcha-image=${code}`, t),
        'single use',
      );
    });

    it('takes the ticket from the cookie and the code from a header; the query parameter wins', async () => {
      const ticket = assert406(await get(demo.url, '/test/captcha.json'));
      const cookie = { cookie: `Client-Ticket=${ticket}` };
      const code = (
        await get(demo.url, '/test/captcha.json', { ...cookie, 'quest-captcha-image': 'x' })
      ).text;
      assert.match(code, /^\w{4}$/);
      assert406(
        await get(demo.url, '/test/captcha.json?check-captcha-image=zzzz', {
          ...cookie,
          'check-captcha-image': code,
        }),
        'parameter wins',
      );
      const code2 = (await get(demo.url, '/test/captcha.json?quest-captcha-image=', cookie)).text;
      const ok = await get(demo.url, '/test/captcha.json', {
        ...cookie,
        'check-captcha-image': code2,
      });
      assert.deepEqual([ok.status, ok.text], [200, 'captcha']);
    });

    it('serves real svg-captcha images, or a base64 data URL when Accept asks for it', async () => {
      const ticket = assert406(await get(real.url, '/test/captcha.json'));
      const svg = await get(real.url, '/test/captcha.json?quest-captcha-image=', {
        'client-ticket': ticket,
      });
      assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
      assert.match(
        svg.text,
        /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="150" height="50"/,
      );
      assert.match(svg.text, /<path[^>]+d="M/);
      assert.equal(svg.headers.get('cache-control'), 'no-store, no-cache, must-revalidate');
      const b64 = await get(real.url, '/test/captcha.json?quest-captcha-image=', {
        'client-ticket': ticket,
        accept: 'text/plain;base64',
      });
      assert.match(b64.headers.get('content-type') ?? '', /^text\/plain/);
      const m = /^data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)$/.exec(b64.text);
      assert.ok(m, b64.text.slice(0, 60));
      assert.match(Buffer.from(m[1] as string, 'base64').toString(), /^<svg /);
    });

    it('gives a forged or invented ticket no pass and replaces it', async () => {
      const real = assert406(await get(demo.url, '/test/captcha.json'));
      const forged = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
      for (const bad of [forged, 'invented-ticket', 'a'.repeat(22) + '.' + 'b'.repeat(22)]) {
        const r = await get(demo.url, '/test/captcha.json?quest-captcha-image=', {
          'client-ticket': bad,
        });
        const replaced = assert406(r, `forged ${bad}`);
        assert.notEqual(replaced, bad);
      }
    });

    it('voids the code once the wrong guesses are used up (retry 1 and 2)', async () => {
      const ticket = assert406(await get(app.url, '/fb/a'));
      const t = { 'client-ticket': ticket };
      const code = (await get(app.url, '/fb/a?quest-captcha-image=', t)).text;
      assert406(await get(app.url, '/fb/a?check-captcha-image=wrong', t), 'wrong guess');
      assert406(
        await get(app.url, `/fb/a?check-captcha-image=${code}`, t),
        'right code after the retry is used up',
      );

      const code2 = (await get(app.url, '/fb/retry2?quest-captcha-image=', t)).text;
      assert406(await get(app.url, '/fb/retry2?check-captcha-image=wrong', t));
      assert.equal(
        (await get(app.url, `/fb/retry2?check-captcha-image=${code2}`, t)).text,
        'retry2',
        'retry 2 survives one miss',
      );
    });

    it('expires a code after blood seconds', async () => {
      const ticket = assert406(await get(app.url, '/fb/short'));
      const t = { 'client-ticket': ticket };
      const code = (await get(app.url, '/fb/short?quest-captcha-image=', t)).text;
      await sleep(1100);
      assert406(await get(app.url, `/fb/short?check-captcha-image=${code}`, t), 'expired code');
    });

    it('does not let a code solved for one route open another', async () => {
      const ticket = assert406(await get(app.url, '/fb/a'));
      const t = { 'client-ticket': ticket };
      const code = (await get(app.url, '/fb/a?quest-captcha-image=', t)).text;
      assert406(await get(app.url, `/fb/b?check-captcha-image=${code}`, t), 'other route');
      assert.equal((await get(app.url, `/fb/a?check-captcha-image=${code}`, t)).text, 'a');
    });

    it('limits images to 30 per ticket per minute (429 with Retry-After)', async () => {
      const ticket = assert406(await get(app.url, '/fb/a'));
      const t = { 'client-ticket': ticket };
      for (let i = 0; i < 30; i++)
        assert.equal(
          (await get(app.url, '/fb/a?quest-captcha-image=', t)).status,
          200,
          `image ${i + 1}`,
        );
      const r = await get(app.url, '/fb/a?quest-captcha-image=', t);
      assert.equal(r.status, 429);
      assert.equal(r.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
      const retry = Number(r.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    });

    it('first: one free call per N s per (route, client address), not renewed by dropping or inventing tickets', async () => {
      // Each platform's run connects from its own loopback address: a client of its own.
      const s = { from: platform === 'fastify' ? '127.0.0.11' : '127.0.0.12' };
      assert.equal((await get(demo.url, '/test/captcha-30.json', {}, s)).text, 'captcha-30');
      assert406(await get(demo.url, '/test/captcha-30.json', {}, s), 'second call');
      assert406(
        await get(demo.url, '/test/captcha-30.json', { 'client-ticket': 'made-up' }, s),
        'invented ticket',
      );
      assert.equal(
        (
          await get(
            demo.url,
            '/test/captcha-30.json',
            {},
            { from: platform === 'fastify' ? '127.0.0.13' : '127.0.0.14' },
          )
        ).text,
        'captcha-30',
        'another client address',
      );
      assert406(await get(demo.url, '/test/captcha.json', {}, s), 'first: 0 always asks');
    });

    it('lets a custom handler (hosted CAPTCHA style) decide a scene, without route changes', async () => {
      assert406(await get(app.url, '/fb/hosted'));
      assert406(await get(app.url, '/fb/hosted', { 'x-hosted-token': 'forged' }));
      assert.equal(
        (await get(app.url, '/fb/hosted', { 'x-hosted-token': 'valid' })).text,
        'hosted',
      );
    });
  });
}

describe('@FirstBlood with a configured font', () => {
  it('issues codes that start with one CJK character, and still renders SVG', async () => {
    const font = require.resolve('svg-captcha/fonts/Comismsh.ttf');
    const text = await startModule(
      CaptchaTestModule.with({ firstBlood: { ...plaintext, font } }),
      'fastify',
    );
    const svg = await startModule(CaptchaTestModule.with({ firstBlood: { font } }), 'fastify');
    try {
      const t = { 'client-ticket': assert406(await request(`${text.url}/fb/a`)) };
      const code = (await request(`${text.url}/fb/a?quest-captcha-image=`, { headers: t })).text;
      assert.match(code, new RegExp(`^[\\u4e00-\\u9fff][${CODE_ALPHABET}]{3}$`), code);
      assert.equal(
        (
          await request(`${text.url}/fb/a?check-captcha-image=${encodeURIComponent(code)}`, {
            headers: t,
          })
        ).text,
        'a',
      );
      const t2 = { 'client-ticket': assert406(await request(`${svg.url}/fb/a`)) };
      const image = await request(`${svg.url}/fb/a?quest-captcha-image=`, { headers: t2 });
      assert.equal(image.headers.get('content-type'), 'image/svg+xml');
      assert.match(image.text, /^<svg /);
    } finally {
      await Promise.all([text.close(), svg.close()]);
    }
  });

  it('fails the boot when the font file does not exist', async () => {
    await assert.rejects(
      startModule(CaptchaTestModule.with({ firstBlood: { font: '/nope/font.ttf' } }), 'fastify'),
      /option "firstBlood.font" is "\/nope\/font.ttf"; expected the path of an existing .ttf file/,
    );
  });
});

describe('@FirstBlood on two instances sharing one Redis', () => {
  let pair: RedisPair;
  let a: RunningApp;
  let b: RunningApp;
  let redis: TestRedis;
  before(async () => {
    pair = await startRedisPair({ captchaPlaintext: true });
    ({ a, b, redis } = pair);
  });
  afterAll(() => pair.close());

  it('accepts on B a ticket and code issued on A', async () => {
    const ticket = assert406(await request(`${a.url}/test/captcha.json`));
    const code = (
      await request(`${a.url}/test/captcha.json?quest-captcha-image=`, {
        headers: { 'client-ticket': ticket },
      })
    ).text;
    const r = await request(`${b.url}/test/captcha.json?check-captcha-image=${code}`, {
      headers: { 'client-ticket': ticket },
    });
    assert.deepEqual([r.status, r.text], [200, 'captcha']);
    assert406(
      await request(`${a.url}/test/captcha.json?check-captcha-image=${code}`, {
        headers: { 'client-ticket': ticket },
      }),
      'used up on B',
    );
  });

  it('answers 503 STORE_UNAVAILABLE while Redis is down (onStoreError: closed), then recovers', async () => {
    const ticket = assert406(await request(`${a.url}/test/captcha.json`));
    const t = { headers: { 'client-ticket': ticket } };
    await redis.stop();
    try {
      for (const path of ['?quest-captcha-image=', '?check-captcha-image=abcd']) {
        const r = await request(`${a.url}/test/captcha.json${path}`, t);
        assert.equal(r.status, 503, `${path}: ${r.text}`);
        assert.equal(r.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
        assert.equal(r.headers.get('retry-after'), '1');
      }
    } finally {
      await redis.start();
    }
    const back = await eventually(
      async () =>
        (await request(`${a.url}/test/captcha.json?quest-captcha-image=`, t)).status === 200,
    );
    assert.ok(back, 'images again once Redis is back');
  });
});
