import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  PageDefault,
  PageQuery,
  PageResult,
  ProtectionModule,
  RateLimit,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { mintSession, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  TEST_SECRET,
  type RunningApp,
} from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

/*
 * The @PageDefault scraping budget: rows served per (client, route) over a sliding window, 429
 * SCRAPING_BUDGET past it, short pages refunded, the client being the user or the address (never
 * a session or User-Agent), shared across instances on one Redis; maxOffset; option checks.
 */

/** An auth guard of the app: `x-user: <id>` is the authenticated user. */
@Injectable()
class HeaderAuth implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const id = req.headers['x-user'];
    if (typeof id === 'string') (req as { user?: unknown }).user = { id };
    return true;
  }
}

type Row = { id: number };
const table = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
const SHORT = table(23);
const page = (rows: readonly Row[], pq: PageQuery): PageResult<Row> =>
  PageResult.of(rows.length, rows.slice(pq.offset, pq.offset + pq.size), pq);

@Controller('b')
@UseGuards(HeaderAuth)
class BudgetController {
  /** 23 rows: the third page of 10 serves 3. */
  @Get('short')
  short(
    @PageDefault({ size: 10, budget: { rows: 30, windowMs: 60_000 } }) pq: PageQuery,
  ): PageResult<Row> {
    return page(SHORT, pq);
  }

  @Get('user')
  user(
    @PageDefault({ size: 10, budget: { rows: 20, windowMs: 60_000 } }) pq: PageQuery,
  ): PageResult<Row> {
    return page(table(100), pq);
  }

  /** Ignores the size: 15 rows whatever was asked. */
  @Get('greedy')
  greedy(
    @PageDefault({ size: 10, budget: { rows: 30, windowMs: 60_000 } }) pq: PageQuery,
  ): PageResult<Row> {
    return PageResult.of(100, table(15), pq);
  }

  /** Not a PageResult: the page size counts. */
  @Get('plain')
  plain(@PageDefault({ size: 10, budget: { rows: 20, windowMs: 60_000 } }) pq: PageQuery): {
    ids: number[];
  } {
    return { ids: table(3).map((r) => r.id + pq.offset) };
  }

  @Get('both')
  @RateLimit({ limit: 100, window: 60_000, name: 'calls' })
  both(
    @PageDefault({ size: 10, budget: { rows: 50, windowMs: 60_000 } }) pq: PageQuery,
  ): PageResult<Row> {
    return page(table(100), pq);
  }
}

@Module({})
class BudgetModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: BudgetModule,
      imports: [ProtectionModule.forRoot({ overload: false, ...options })],
      controllers: [BudgetController],
      providers: [HeaderAuth],
    };
  }
}

interface Setup {
  name: string;
  /** Third octet of this setup's client addresses (127.0.<octet>.<n>): clients never overlap. */
  octet: number;
  /** Two demo instances (the same one twice on memory). */
  demos: () => [RunningApp, RunningApp];
  /** Two test-module instances (the same one twice on memory). */
  apps: () => [RunningApp, RunningApp];
  /** Waits for a refund sent after the previous answer (Redis: another connection may race it). */
  settle: () => Promise<void>;
}

const state = (r: Reply): string => r.headers.get('ratelimit') ?? '';
const remaining = (r: Reply): number => Number(/"page-budget";r=(\d+)/.exec(state(r))?.[1] ?? NaN);

function scenarios(setup: Setup): void {
  let n = 0;
  /** A client address no other test of this setup uses. */
  const client = (): string => `127.0.${setup.octet}.${++n}`;
  const demoPage = (i: number, path: string, from: string, headers?: Record<string, string>) =>
    request(`${setup.demos()[i % 2]?.url}/test/page-budget.json${path}`, { from, headers });

  it('5 pages of 10 pass, the 6th is 429 SCRAPING_BUDGET with Retry-After and RateLimit headers', async () => {
    const from = client();
    for (let i = 1; i <= 5; i++) {
      const r = await demoPage(i, `?page=${i}`, from);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json<{ data: Row[] }>().data[0]?.id, (i - 1) * 10 + 1);
      assert.equal(r.headers.get('ratelimit-policy'), '"page-budget";q=50;w=60');
      assert.match(state(r), /^"page-budget";r=\d+;t=\d+$/);
      assert.equal(remaining(r), 50 - i * 10);
    }
    const sixth = await demoPage(6, '?page=6', from);
    assert.equal(sixth.status, 429);
    assert.deepEqual(sixth.json(), {
      statusCode: 429,
      code: 'SCRAPING_BUDGET',
      message: 'Too many rows read from this route; retry later',
    });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 120, `Retry-After ${retryAfter}`);
    assert.equal(sixth.headers.get('ratelimit-policy'), '"page-budget";q=50;w=60');
    assert.match(state(sixth), /^"page-budget";r=0;t=\d+$/);
    assert.equal((await demoPage(7, '?page=1&size=1', from)).status, 429, 'not even one row');

    const other = await demoPage(0, '?page=6', client());
    assert.equal(other.status, 200, 'another client address is unaffected');
    assert.equal(remaining(other), 40);
  });

  it('rotating User-Agent, session cookie and session header does not reset the budget', async () => {
    const from = client();
    const [a] = setup.demos();
    for (let i = 1; i <= 6; i++) {
      const session = await mintSession(`${a.url}/test`);
      const r = await demoPage(i, `?page=${i}`, from, {
        'user-agent': `scraper/${i}.${Math.random()}`,
        cookie: `session=${session}`,
        session,
      });
      assert.equal(r.status, i <= 5 ? 200 : 429, `page ${i}: ${r.text}`);
    }
  });

  it('an authenticated user is counted by user, whatever its address', async () => {
    const [a, b] = setup.apps();
    const user = `${setup.name}-u1`;
    const get = (app: RunningApp, from: string, id = user) =>
      request(`${app.url}/b/user`, { from, headers: { 'x-user': id } });
    const shared = client();
    assert.equal((await get(a, shared)).status, 200);
    assert.equal((await get(b, client())).status, 200, 'another address, same user');
    const third = await get(a, client());
    assert.equal(third.status, 429, 'the user has read its 20 rows');
    assert.equal(third.json<{ code: string }>().code, 'SCRAPING_BUDGET');
    assert.equal(
      (await get(b, shared, `${setup.name}-u2`)).status,
      200,
      'another user, same address',
    );
    assert.equal(
      (await request(`${a.url}/b/user`, { from: shared })).status,
      200,
      'the anonymous address has its own budget',
    );
  });

  it('a short last page counts only the rows it served', async () => {
    const [a, b] = setup.apps();
    const from = client();
    const get = (app: RunningApp, q: string) => request(`${app.url}/b/short${q}`, { from });
    assert.equal(remaining(await get(a, '?page=1')), 20);
    assert.equal(remaining(await get(b, '?page=2')), 10);
    const last = await get(a, '?page=3');
    assert.equal(last.json<{ data: Row[] }>().data.length, 3);
    assert.equal(remaining(last), 7, 'the 7 rows not served are given back');
    await setup.settle();
    assert.equal((await get(b, '?page=1&size=8')).status, 429, '8 rows do not fit in 7');
    const seven = await get(a, '?page=1&size=7');
    assert.equal(seven.status, 200, '7 do');
    assert.equal(remaining(seven), 0);
  });

  it('rows served count, not rows asked: an overlong page counts all its rows', async () => {
    const [a, b] = setup.apps();
    const from = client();
    assert.equal((await request(`${a.url}/b/greedy`, { from })).status, 200);
    await setup.settle();
    assert.equal((await request(`${b.url}/b/greedy`, { from })).status, 200, '30 rows counted');
    await setup.settle();
    assert.equal((await request(`${a.url}/b/greedy`, { from })).status, 429);
  });

  it('an answer that is not a PageResult counts the page size', async () => {
    const [a, b] = setup.apps();
    const from = client();
    assert.equal(remaining(await request(`${a.url}/b/plain`, { from })), 10);
    assert.equal((await request(`${b.url}/b/plain`, { from })).status, 200);
    assert.equal((await request(`${a.url}/b/plain`, { from })).status, 429);
  });

  it('a page is never longer than the budget: size is clamped to budget.rows', async () => {
    const from = client();
    const r = await demoPage(0, '?size=1000', from);
    assert.equal(r.status, 200);
    assert.equal(r.json<{ data: Row[]; size: number }>().size, 50);
    assert.equal(r.json<{ data: Row[] }>().data.length, 50);
    assert.equal(remaining(r), 0);
  });

  it('a page beyond maxOffset is a 400 naming the limit, and costs nothing', async () => {
    const from = client();
    const deep = await demoPage(0, '?page=101&size=10', from);
    assert.equal(deep.status, 400);
    assert.deepEqual(deep.json(), {
      statusCode: 400,
      code: 'PAGE_TOO_DEEP',
      message: 'page 101 of size 10 reaches row 1010, beyond maxOffset 1000',
    });
    assert.equal(deep.headers.get('ratelimit'), null, 'refused before counting');
    const huge = await demoPage(1, '?page=2147483647&size=50', from);
    assert.equal(huge.status, 400, 'the largest page is a 400, not a 500');
    assert.match(huge.json<{ message: string }>().message, /beyond maxOffset 1000$/);
    const last = await demoPage(1, '?page=100&size=10', from);
    assert.equal(last.status, 200, 'row 1000 is within maxOffset');
    assert.equal(last.json<{ data: Row[] }>().data[9]?.id, 1000);
    assert.equal(remaining(last), 40);
  });

  it('beside @RateLimit, both policies are in the headers', async () => {
    const [a] = setup.apps();
    const r = await request(`${a.url}/b/both`, { from: client() });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('ratelimit-policy'), '"calls";q=100;w=60, "page-budget";q=50;w=60');
    assert.match(state(r), /^"calls";r=99;t=\d+, "page-budget";r=40;t=\d+$/);
  });

  it('routes without a budget carry no budget headers', async () => {
    const [a] = setup.demos();
    const r = await request(`${a.url}/test/page-result.json?total=5`, { from: client() });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('ratelimit-policy'), null);
  });
}

PLATFORMS.forEach((platform, i) => {
  describe(`@PageDefault budget on ${platform}, memory`, () => {
    let demo: RunningApp;
    let app: RunningApp;
    before(async () => {
      demo = await startDemo({ platform });
      app = await startModule(BudgetModule.with({}), platform);
    });
    afterAll(() => Promise.all([demo?.close(), app?.close()]));
    scenarios({
      name: `${platform}-memory`,
      octet: 40 + i,
      demos: () => [demo, demo],
      apps: () => [app, app],
      settle: () => Promise.resolve(),
    });
  });
});

describe('@PageDefault budget on two instances (Fastify + Express) sharing one Redis', () => {
  let redis: TestRedis;
  const demos: RunningApp[] = [];
  const apps: RunningApp[] = [];
  before(async () => {
    redis = await TestRedis.start();
    for (const platform of PLATFORMS) {
      demos.push(await startDemo({ platform, redisUrl: redis.url }));
      const options: ProtectionModuleOptions = { secret: TEST_SECRET, store: { redis: redis.url } };
      apps.push(await startModule(BudgetModule.with(options), platform));
    }
  });
  afterAll(async () => {
    await Promise.all([...demos, ...apps].map((a) => a.close()));
    await redis?.stop();
  });
  scenarios({
    name: 'redis',
    octet: 42,
    demos: () => [demos[0] as RunningApp, demos[1] as RunningApp],
    apps: () => [apps[0] as RunningApp, apps[1] as RunningApp],
    settle: () => sleep(100),
  });
});

PLATFORMS.forEach((platform, i) => {
  describe(`@PageDefault budget with the store down on ${platform}`, () => {
    let redis: TestRedis;
    const apps: Record<string, RunningApp> = {};
    before(async () => {
      redis = await TestRedis.start();
      for (const policy of ['local', 'open', 'closed'] as const) {
        const options: ProtectionModuleOptions = {
          secret: TEST_SECRET,
          store: { redis: redis.url },
          page: { onStoreError: policy },
        };
        apps[policy] = await startModule(BudgetModule.with(options), platform);
      }
      await redis.stop();
    });
    afterAll(() => Promise.all(Object.values(apps).map((a) => a.close())));

    const statuses = async (policy: string, from: string): Promise<number[]> => {
      const out: number[] = [];
      for (let p = 1; p <= 3; p++)
        out.push((await request(`${apps[policy]?.url}/b/user?page=${p}`, { from })).status);
      return out;
    };

    it("'local' (default) counts in this process, 'open' serves uncounted, 'closed' answers 503", async () => {
      assert.deepEqual(await statuses('local', `127.0.${43 + i}.1`), [200, 200, 429]);
      assert.deepEqual(await statuses('open', `127.0.${43 + i}.2`), [200, 200, 200]);
      const closed = await request(`${apps.closed?.url}/b/user`, { from: `127.0.${43 + i}.3` });
      assert.equal(closed.status, 503);
      assert.equal(closed.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
    });
  });
});

describe('@PageDefault budget and maxOffset options', () => {
  it('rejects wrong decorator options when the class is defined, naming the option', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { budget: { rows: 0, windowMs: 60_000 } },
        /@PageDefault: option "budget.rows" is 0; expected a positive whole number of rows .* from 1 to 1000000\./,
      ],
      [{ budget: { rows: 1.5, windowMs: 60_000 } }, /option "budget.rows" is 1.5/],
      [{ budget: { windowMs: 60_000 } }, /option "budget.rows" is undefined/],
      [
        { budget: { rows: 50, windowMs: 999 } },
        /option "budget.windowMs" is 999; expected a whole number of ms \(at least one second, at most 31 days\) from 1000 to 2678400000\./,
      ],
      [{ budget: { rows: 50 } }, /option "budget.windowMs" is undefined/],
      [{ budget: 50 }, /option "budget" is 50; expected an object \{ rows, windowMs \}/],
      [{ budget: { rows: 5, windowMs: 1000, name: 'x' } }, /unknown option "budget.name"/],
      [
        { size: 60, budget: { rows: 50, windowMs: 60_000 } },
        /option "size" is 60; expected at most budget.rows \(50\)/,
      ],
      [
        { maxOffset: -1 },
        /option "maxOffset" is -1; expected a whole number from 0 to 1000000000000/,
      ],
      [{ maxOffset: '1000' }, /option "maxOffset" is "1000"/],
    ];
    for (const [options, message] of cases)
      assert.throws(() => PageDefault(options as never), message, JSON.stringify(options));
    assert.doesNotThrow(() => PageDefault({ maxOffset: 0, budget: { rows: 1, windowMs: 1000 } }));
  });

  it('fails the boot for a module-wide budget or a bad onStoreError', async () => {
    await assert.rejects(
      startModule(
        BudgetModule.with({ page: { budget: { rows: 5, windowMs: 60_000 } } as never }),
        'fastify',
      ),
      /ProtectionModule: option "page.budget" is \{"rows":5,"windowMs":60000\}; expected no budget here: a budget is per route, set it with @PageDefault\(\{ budget \}\)/,
    );
    await assert.rejects(
      startModule(BudgetModule.with({ page: { onStoreError: 'maybe' as never } }), 'fastify'),
      /option "page.onStoreError" is "maybe"; expected 'local', 'open' or 'closed'/,
    );
    await assert.rejects(
      startModule(BudgetModule.with({ page: { maxOffset: -5 } }), 'fastify'),
      /option "page.maxOffset" is -5/,
    );
  });

  it('refuses two budgeted @PageDefault parameters on one method', () => {
    const budget = PageDefault({ budget: { rows: 10, windowMs: 1000 } });
    assert.throws(() => {
      class Twice {
        list(_a: PageQuery, _b: PageQuery): void {}
      }
      budget(Twice.prototype, 'list', 0);
      budget(Twice.prototype, 'list', 1);
    }, /@PageDefault: list has two @PageDefault parameters with a budget; keep one/);
  });
});
