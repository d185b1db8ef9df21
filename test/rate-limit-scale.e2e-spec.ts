import { Controller, Get, Module, Query, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  ProtectionModule,
  RateLimit,
  RateLimitService,
  type ProtectionModuleOptions,
  type ProtectionRequest,
  type RateLimitAlgorithm,
} from 'nest-protection';
import { post, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

/*
 * @RateLimit at scale: the three algorithms (exact counts under 200 concurrent requests, also
 * across two instances on one Redis), GCRA bursts, costs and per-request limits, counting only
 * failed answers, and RateLimitService. Memory and Redis, Fastify and Express.
 */

const header = (req: ProtectionRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The test's plans: `x-plan: pro` gets 10 units per window, anyone else 3. */
const planLimit = (req: ProtectionRequest): number => (header(req, 'x-plan') === 'pro' ? 10 : 3);
const costOf = (req: ProtectionRequest): number => Number(header(req, 'x-cost') ?? 1);
const byClient = (req: ProtectionRequest): string => header(req, 'x-client') ?? 'anonymous';

// An hour: gcra refills one place every 72 s, so the count stays exact however long a loaded
// machine takes to answer the 200 requests (with a minute, one refilled every 1.2 s).
const algorithmRoute = (algorithm: RateLimitAlgorithm) =>
  RateLimit({ limit: 50, window: 3_600_000, algorithm, key: byClient, name: `fifty-${algorithm}` });

@Controller('scale')
class ScaleController {
  constructor(private readonly limits: RateLimitService) {}

  @Get('gcra')
  @algorithmRoute('gcra')
  gcra(): string {
    return 'ok';
  }

  @Get('window')
  @algorithmRoute('window')
  window(): string {
    return 'ok';
  }

  @Get('log')
  @algorithmRoute('log')
  log(): string {
    return 'ok';
  }

  /** A bucket of 5 refilled one every 200 ms. */
  @Get('bucket')
  @RateLimit({ limit: 5, window: 1000, algorithm: 'gcra', key: byClient, name: 'bucket' })
  bucket(): string {
    return 'ok';
  }

  /** 10 per second on average, but only 2 at once. */
  @Get('narrow')
  @RateLimit({
    limit: 10,
    window: 1000,
    algorithm: 'gcra',
    burst: 2,
    key: byClient,
    name: 'narrow',
  })
  narrow(): string {
    return 'ok';
  }

  @Get('plan')
  @RateLimit({ limit: planLimit, window: 60_000, cost: costOf, key: byClient, name: 'plan' })
  plan(): string {
    return 'ok';
  }

  @Get('peek')
  peek(@Query('client') client: string): Promise<unknown> {
    return this.limits.peek('bucket', { key: client });
  }

  @Get('penalize')
  penalize(@Query('client') client: string, @Query('points') points: string): Promise<unknown> {
    return this.limits.penalize('bucket', { key: client }, Number(points));
  }

  @Get('reward')
  reward(@Query('client') client: string, @Query('points') points: string): Promise<unknown> {
    return this.limits.reward('bucket', { key: client }, Number(points));
  }

  @Get('reset')
  async reset(@Query('client') client: string): Promise<string> {
    await this.limits.reset('bucket', { key: client });
    return 'reset';
  }
}

@Module({})
class ScaleModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: ScaleModule,
      imports: [ProtectionModule.forRoot({ overload: false, ...options })],
      controllers: [ScaleController],
    };
  }
}

const from = (client: string, extra: Record<string, string> = {}) => ({
  headers: { 'x-client': client, ...extra },
});

interface Setup {
  name: string;
  /** Two instances (the same one twice on memory). */
  apps: () => [RunningApp, RunningApp];
  demo: () => RunningApp;
}

function scenarios(setup: Setup): void {
  const run = `${setup.name}-${Date.now()}`;

  for (const algorithm of ['gcra', 'window', 'log'] as const) {
    it(`${algorithm}: exactly 50 of 200 concurrent requests pass (over both instances)`, async () => {
      const [a, b] = setup.apps();
      const client = `${run}-${algorithm}`;
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          request(`${(i % 2 ? a : b).url}/scale/${algorithm}`, from(client)),
        ),
      );
      const tally = replies.map((r) => r.status).sort();
      assert.equal(replies.filter((r) => r.status === 200).length, 50, JSON.stringify(tally));
      assert.equal(replies.filter((r) => r.status === 429).length, 150);
      const remaining = replies
        .filter((r) => r.status === 200)
        .map((r) => Number(/r=(\d+)/.exec(r.headers.get('ratelimit') ?? '')?.[1]))
        .sort((x, y) => x - y);
      assert.deepEqual(
        remaining,
        Array.from({ length: 50 }, (_, i) => i),
        'r counts down 49..0',
      );
    });
  }

  it('gcra: the burst passes at once, then one request per emission interval', async () => {
    const [a, b] = setup.apps();
    const client = `${run}-bucket`;
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(`${(i % 2 ? a : b).url}/scale/bucket`, from(client)),
      ),
    );
    assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 429]);
    const refused = burst.find((r) => r.status === 429) as Reply;
    assert.equal(refused.headers.get('retry-after'), '1', 'the next place frees within 200 ms');
    assert.match(refused.headers.get('ratelimit') ?? '', /^"bucket";r=0;t=1$/);
    await sleep(260);
    assert.equal(
      (await request(`${a.url}/scale/bucket`, from(client))).status,
      200,
      'refilled one',
    );
    assert.equal((await request(`${b.url}/scale/bucket`, from(client))).status, 429, 'only one');

    const narrow = `${run}-narrow`;
    const two = await Promise.all(
      Array.from({ length: 4 }, () => request(`${a.url}/scale/narrow`, from(narrow))),
    );
    assert.deepEqual(two.map((r) => r.status).sort(), [200, 200, 429, 429], 'burst 2');
    assert.equal(two[0]?.headers.get('ratelimit-policy'), '"narrow";q=10;w=1');
  });

  it('cost and per-request limits: plans get their own limit, a request uses its cost', async () => {
    const [a, b] = setup.apps();
    const free = `${run}-free`;
    const r1 = await request(`${a.url}/scale/plan`, from(free, { 'x-cost': '2' }));
    assert.equal(r1.status, 200);
    assert.equal(r1.headers.get('ratelimit-policy'), '"plan";q=3;w=60');
    // A limit given as a function counts with gcra: 3 per 60 s is one unit every 20 s.
    assert.equal(r1.headers.get('ratelimit'), '"plan";r=1;t=20');
    const r2 = await request(`${b.url}/scale/plan`, from(free, { 'x-cost': '2' }));
    assert.equal(r2.status, 429, 'a cost of 2 does not fit in the 1 left');
    assert.equal(
      (await request(`${b.url}/scale/plan`, from(free))).status,
      200,
      'a cost of 1 does',
    );

    const pro = `${run}-pro`;
    const proReplies: number[] = [];
    for (let i = 0; i < 6; i++)
      proReplies.push(
        (
          await request(
            `${(i % 2 ? a : b).url}/scale/plan`,
            from(pro, { 'x-plan': 'pro', 'x-cost': '2' }),
          )
        ).status,
      );
    assert.deepEqual(proReplies, [200, 200, 200, 200, 200, 429], 'pro: 10 units, cost 2');
    const zero = await request(
      `${a.url}/scale/plan`,
      from(pro, { 'x-plan': 'pro', 'x-cost': '0' }),
    );
    assert.equal(zero.status, 200, 'a cost of 0 is not refused while the budget is not overdrawn');
    const bad = await request(`${a.url}/scale/plan`, from(pro, { 'x-cost': 'many' }));
    assert.equal(bad.status, 500, 'a cost function returning NaN is a bug of the app');
  });

  it('count failed: good logins never count; three failed ones, then 429 whatever the password', async () => {
    const demo = setup.demo();
    const login = (password: string): Promise<Reply> =>
      post(`${demo.url}/test/login.json`, { json: { password }, from: '127.0.0.2' });
    for (let i = 0; i < 10; i++)
      assert.equal((await login('right')).status, 200, `good login ${i}`);
    for (let i = 0; i < 3; i++)
      assert.equal((await login('wrong')).status, 401, `failed login ${i}`);
    const fourth = await login('right');
    assert.equal(fourth.status, 429, fourth.text);
    assert.equal((await login('wrong')).status, 429);
  });

  it('count failed: 20 wrong passwords at once still get only 3 tries', async () => {
    const demo = setup.demo();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(`${demo.url}/test/login.json`, { json: { password: 'guess' }, from: '127.0.0.3' }),
      ),
    );
    assert.equal(replies.filter((r) => r.status === 401).length, 3);
    assert.equal(replies.filter((r) => r.status === 429).length, 17);
  });

  it('RateLimitService: peek, penalize, reward and reset act on the budget the guard uses', async () => {
    const [a, b] = setup.apps();
    const client = `${run}-svc`;
    const svc = (op: string, extra = ''): Promise<Reply> =>
      request(`${b.url}/scale/${op}?client=${client}${extra}`);
    assert.deepEqual((await svc('peek')).json(), {
      rule: 'bucket',
      limit: 5,
      window: 1000,
      remaining: 5,
      resetMs: 0,
    });
    await request(`${a.url}/scale/bucket`, from(client));
    assert.equal((await svc('peek')).json<{ remaining: number }>().remaining, 4);
    assert.equal((await svc('penalize', '&points=4')).json<{ remaining: number }>().remaining, 0);
    assert.equal((await request(`${a.url}/scale/bucket`, from(client))).status, 429, 'penalized');
    assert.equal((await svc('reward', '&points=2')).json<{ remaining: number }>().remaining, 2);
    assert.equal((await request(`${a.url}/scale/bucket`, from(client))).status, 200, 'rewarded');
    await svc('reset');
    assert.equal((await svc('peek')).json<{ remaining: number }>().remaining, 5, 'reset');
  });
}

for (const platform of PLATFORMS) {
  describe(`@RateLimit at scale on ${platform}, memory`, () => {
    let app: RunningApp;
    let demo: RunningApp;
    before(async () => {
      app = await startModule(ScaleModule.with({}), platform);
      demo = await startDemo({ platform });
    });
    afterAll(() => Promise.all([app?.close(), demo?.close()]));
    scenarios({ name: `${platform}-memory`, apps: () => [app, app], demo: () => demo });
  });
}

describe('@RateLimit at scale on two instances (Fastify + Express) sharing one Redis', () => {
  let redis: TestRedis;
  let a: RunningApp;
  let b: RunningApp;
  let demo: RunningApp;
  before(async () => {
    redis = await TestRedis.start();
    const options: ProtectionModuleOptions = { secret: TEST_SECRET, store: { redis: redis.url } };
    a = await startModule(ScaleModule.with(options), 'fastify');
    b = await startModule(ScaleModule.with(options), 'express');
    demo = await startDemo({ platform: 'fastify', redisUrl: redis.url });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), demo?.close()]);
    await redis?.stop();
  });
  scenarios({ name: 'redis', apps: () => [a, b], demo: () => demo });
});
