import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { ProtectionModule, RateLimit, type ProtectionModuleOptions } from 'nest-protection';
import { request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  startRedisPair,
  type RedisPair,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';

/* @RateLimit: sliding windows, several rules, IETF headers, one budget across instances on Redis. */

@Controller('rl')
class LimitedController {
  @Get('two')
  @RateLimit({ limit: 3, window: 1000, name: 'burst' })
  @RateLimit({ limit: 5, window: 60_000, name: 'minute' })
  two(): string {
    return 'two';
  }

  @Get('slide')
  @RateLimit({ limit: 4, window: 800, name: 'slide', key: 'identity' })
  slide(): string {
    return 'slide';
  }

  @Get('fifty')
  @RateLimit({ limit: 50, window: 60_000, name: 'fifty' })
  fifty(): string {
    return 'fifty';
  }
}

@RateLimit({ limit: 2, window: 60_000, name: 'class' })
@Controller('rlc')
class ClassLimitedController {
  @Get('a')
  a(): string {
    return 'a';
  }
}

@Module({})
class RateLimitTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: RateLimitTestModule,
      // The test's "auth": an x-user header names the authenticated user.
      imports: [
        ProtectionModule.forRoot({
          identity: (req) => (req.headers['x-user'] as string | undefined) ?? null,
          ...options,
        }),
      ],
      controllers: [LimitedController, ClassLimitedController],
    };
  }
}

function assert429(r: Reply): number {
  assert.equal(r.status, 429, r.text);
  assert.deepEqual(r.json(), {
    statusCode: 429,
    code: 'TOO_MANY_REQUESTS',
    message: 'Too many requests; retry later',
  });
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${r.headers.get('retry-after')}`);
  return retry;
}

for (const platform of PLATFORMS) {
  describe(`@RateLimit on ${platform}`, () => {
    let app: RunningApp;
    let demo: RunningApp;
    before(async () => {
      app = await startModule(RateLimitTestModule.with({}), platform);
      demo = await startDemo({ platform });
    });
    afterAll(() => Promise.all([app.close(), demo.close()]));

    it('enforces two policies on one route, with exact IETF headers on every answer', async () => {
      const replies: Reply[] = [];
      for (let i = 0; i < 4; i++) replies.push(await request(`${app.url}/rl/two`));
      for (const r of replies)
        assert.equal(r.headers.get('ratelimit-policy'), '"burst";q=3;w=1, "minute";q=5;w=60');
      assert.deepEqual(
        replies.slice(0, 3).map((r) => r.status),
        [200, 200, 200],
      );
      assert.equal(replies[0]?.headers.get('ratelimit'), '"burst";r=2;t=1, "minute";r=4;t=60');
      assert.equal(replies[2]?.headers.get('ratelimit'), '"burst";r=0;t=1, "minute";r=2;t=60');
      assert.equal(
        assert429(replies[3] as Reply),
        1,
        'Retry-After: the burst window frees in at most 1 s',
      );
      assert.equal(
        replies[3]?.headers.get('ratelimit'),
        '"burst";r=0;t=1, "minute";r=2;t=60',
        'a refusal is not counted',
      );
      await sleep(1050);
      assert.equal((await request(`${app.url}/rl/two`)).status, 200);
      assert.equal((await request(`${app.url}/rl/two`)).status, 200);
      const capped = await request(`${app.url}/rl/two`);
      assert.ok(
        assert429(capped) > 1,
        'now the minute policy is full: retry after more than a second',
      );
    });

    it('slides: a steady client under the rate is never rejected, and a burst waits for the oldest hit', async () => {
      const s = { headers: { 'x-user': `slide-${platform}` } };
      for (let i = 0; i < 10; i++) {
        const r = await request(`${app.url}/rl/slide`, s);
        assert.equal(r.status, 200, `steady request ${i}: ${r.text}`);
        await sleep(250); // 3.2 per 800 ms < 4
      }
      const other = { headers: { 'x-user': `burst-${platform}` } };
      const burst = await Promise.all(
        Array.from({ length: 6 }, () => request(`${app.url}/rl/slide`, other)),
      );
      assert.equal(burst.filter((r) => r.status === 200).length, 4);
      burst.filter((r) => r.status !== 200).forEach(assert429);
      assert.equal(
        (await request(`${app.url}/rl/slide`, s)).status,
        200,
        'identity key: another user has their own budget',
      );
    });

    it('identity key: an anonymous client is counted by its address, whatever session or User-Agent it sends', async () => {
      await sleep(850); // the slide window empties
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await request(`${app.url}/rl/slide`, {
          headers: { session: `rotated-${i}`, cookie: `session=c-${i}`, 'user-agent': `ua-${i}` },
        });
        statuses.push(r.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    });

    it('applies a controller-level rule to its routes', async () => {
      assert.deepEqual(
        [
          (await request(`${app.url}/rlc/a`)).status,
          (await request(`${app.url}/rlc/a`)).status,
          (await request(`${app.url}/rlc/a`)).status,
        ],
        [200, 200, 429],
      );
    });

    it('lets exactly 50 of 200 concurrent requests through a limit of 50', async () => {
      const replies = await Promise.all(
        Array.from({ length: 200 }, () => request(`${app.url}/rl/fifty`)),
      );
      assert.equal(replies.filter((r) => r.status === 200).length, 50);
      assert.equal(replies.filter((r) => r.status === 429).length, 150);
    });

    it('limits the demo fixture: 5 per 10 s', async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await request(`${demo.url}/test/rate-limit.json`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    });
  });
}

describe('@RateLimit on two instances sharing one Redis', () => {
  let pair: RedisPair;
  let x: RunningApp;
  let y: RunningApp;
  before(async () => {
    pair = await startRedisPair();
    x = await startModule(
      RateLimitTestModule.with({ secret: TEST_SECRET, store: { redis: pair.redis.url } }),
      'fastify',
    );
    y = await startModule(
      RateLimitTestModule.with({ secret: TEST_SECRET, store: { redis: pair.redis.url } }),
      'express',
    );
  });
  afterAll(async () => {
    await Promise.all([x.close(), y.close()]);
    await pair.close();
  });

  it('shares one budget: 200 concurrent requests over both instances, limit 50, exactly 50 pass', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(`${(i % 2 ? x : y).url}/rl/fifty`)),
    );
    assert.equal(replies.filter((r) => r.status === 200).length, 50);
    assert.equal(replies.filter((r) => r.status === 429).length, 150);
  });

  it('counts both instances in one window with the same headers', async () => {
    const a = await request(`${pair.a.url}/test/rate-limit.json`);
    const b = await request(`${pair.b.url}/test/rate-limit.json`);
    assert.equal(a.headers.get('ratelimit'), '"demo";r=4;t=10');
    assert.equal(b.headers.get('ratelimit'), '"demo";r=3;t=10');
  });

  it('while Redis is down, this process applies the same rules (default onStoreError: local), never fails open', async () => {
    await pair.redis.stop();
    try {
      // /rl/two: 3 per second and 5 per minute (burst and minute rules) for one client.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await request(`${x.url}/rl/two`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429], 'the burst rule still holds');
      const open = await startModule(
        RateLimitTestModule.with({
          secret: TEST_SECRET,
          store: { redis: pair.redis.url, commandTimeout: 200 },
          rateLimit: { onStoreError: 'open' },
        }),
        'fastify',
      );
      try {
        const all: number[] = [];
        for (let i = 0; i < 5; i++) all.push((await request(`${open.url}/rl/two`)).status);
        assert.deepEqual(all, [200, 200, 200, 200, 200], "'open' lets everything through");
      } finally {
        await open.close();
      }
    } finally {
      await pair.redis.start();
    }
  });
});
