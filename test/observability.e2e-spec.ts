import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Param,
  Post,
  Put,
  type INestApplication,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import {
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import {
  Debounce,
  DoubleKill,
  FirstBlood,
  PageDefault,
  PageQuery,
  PageResult,
  RateLimit,
  Righter,
  RighterAudit,
  Signed,
  type ProtectionDecision,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { MemoryStore, StoreUnavailableError, type ProtectionStore } from 'nest-protection/store';
import { request, sleep, startingAfter, type Reply } from './helpers/http';
import {
  PLATFORMS,
  protectedModule,
  startDemo,
  startModule,
  type RunningApp,
} from './helpers/platforms';

/*
 * What the protections report: OpenTelemetry metrics (decisions by protection, route pattern and
 * outcome; store call durations and errors; requests in flight) to an SDK registered before the
 * app, decision events to `onDecision`, and shadow mode (decide, count and report, but let the
 * request through) for every protection. Last, the demo's GET /metrics in Prometheus format.
 */

/** A reader collected by hand (no export interval). */
class ManualReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** How many times each handler ran. */
const runs = new Map<string, number>();
const ran = (name: string): number => {
  runs.set(name, (runs.get(name) ?? 0) + 1);
  return runs.get(name) ?? 0;
};

@Injectable()
class Jobs {
  @DoubleKill({ key: 'job', principal: false })
  async job(): Promise<{ run: number }> {
    const run = ran('job');
    await sleep(300);
    return { run };
  }

  @DoubleKill({ key: 'job', principal: false, mode: 'shadow' })
  async shadowJob(): Promise<{ run: number }> {
    const run = ran('job-shadow');
    await sleep(300);
    return { run };
  }
}

const BUDGET = { rows: 5, windowMs: 60_000 };
const page = (pq: PageQuery): PageResult<number> =>
  PageResult.of(
    100,
    Array.from({ length: pq.size }, (_, i) => pq.offset + i),
    pq,
  );

/** Every protection twice: enforced, and in shadow mode (the decorator's own `mode`). */
@Controller('obs')
class ObservedController {
  constructor(private readonly jobs: Jobs) {}

  @Get('plain')
  plain(): { ok: true } {
    return { ok: true };
  }

  @Get('slow')
  async slow(): Promise<{ ok: true }> {
    await sleep(300);
    return { ok: true };
  }

  @Get('users/:id')
  @RateLimit({ limit: 2, window: 60_000, name: 'users' })
  user(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get('limited')
  @RateLimit({ limit: 1, window: 60_000, name: 'limited' })
  limited(): { run: number } {
    return { run: ran('limited') };
  }

  @Get('limited-shadow')
  @RateLimit({ limit: 1, window: 60_000, name: 'limited-shadow', mode: 'shadow' })
  limitedShadow(): { run: number } {
    return { run: ran('limited-shadow') };
  }

  @Get('limited-enforce')
  @RateLimit({ limit: 1, window: 60_000, name: 'limited-enforce', mode: 'enforce' })
  limitedEnforce(): { run: number } {
    return { run: ran('limited-enforce') };
  }

  /** A stricter limit rolled out in shadow mode beside the one in force. */
  @Get('tightened')
  @RateLimit({ limit: 3, window: 60_000, name: 'current' })
  @RateLimit({ limit: 1, window: 60_000, name: 'stricter', mode: 'shadow' })
  tightened(): { run: number } {
    return { run: ran('tightened') };
  }

  @Post('debounce')
  @Debounce({ waiting: 5000 })
  debounce(): { run: number } {
    return { run: ran('debounce') };
  }

  @Post('debounce-shadow')
  @Debounce({ waiting: 5000, mode: 'shadow' })
  debounceShadow(): { run: number } {
    return { run: ran('debounce-shadow') };
  }

  @Get('job')
  job(): Promise<{ run: number }> {
    return this.jobs.job();
  }

  @Get('job-shadow')
  jobShadow(): Promise<{ run: number }> {
    return this.jobs.shadowJob();
  }

  @Get('captcha')
  @FirstBlood()
  captcha(): { run: number } {
    return { run: ran('captcha') };
  }

  @Get('captcha-shadow')
  @FirstBlood({ mode: 'shadow' })
  captchaShadow(): { run: number } {
    return { run: ran('captcha-shadow') };
  }

  @Put('commit')
  @HttpCode(200)
  @Righter()
  commit(@RighterAudit() audit: unknown): { audit: unknown } {
    return { audit: audit ?? null };
  }

  @Put('commit-shadow')
  @HttpCode(200)
  @Righter({ mode: 'shadow' })
  commitShadow(@RighterAudit() audit: unknown): { audit: unknown } {
    return { audit: audit ?? null };
  }

  @Get('signed')
  @Signed()
  signed(): { ok: true } {
    return { ok: true };
  }

  @Get('signed-shadow')
  @Signed({ mode: 'shadow' })
  signedShadow(): { ok: true } {
    return { ok: true };
  }

  @Get('pages')
  pages(@PageDefault({ size: 5, budget: BUDGET }) pq: PageQuery): PageResult<number> {
    return page(pq);
  }

  @Get('pages-shadow')
  pagesShadow(
    @PageDefault({ size: 5, budget: BUDGET, mode: 'shadow' }) pq: PageQuery,
  ): PageResult<number> {
    return page(pq);
  }
}

interface Observed {
  app: RunningApp;
  url: string;
  reader: ManualReader;
  events: ProtectionDecision[];
  close(): Promise<void>;
}

/**
 * The test app with an in-memory MeterProvider registered before it is created (the module
 * makes its instruments then); afterwards the global API is cleared, so every app keeps its own.
 */
async function startObserved(
  platform: (typeof PLATFORMS)[number],
  options: ProtectionModuleOptions = {},
): Promise<Observed> {
  metrics.disable();
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  const events: ProtectionDecision[] = [];
  try {
    const module = protectedModule(
      {
        identity: (req) => (req.headers['x-user'] as string | undefined) ?? null,
        firstBlood: { render: (code) => ({ contentType: 'text/plain', body: code }) },
        onDecision: (d) => events.push(d),
        ...options,
      },
      [ObservedController],
      [Jobs],
    );
    const app = await startModule(module, platform);
    return {
      app,
      url: `${app.url}/obs`,
      reader,
      events,
      close: async () => {
        await app.close();
        await provider.shutdown();
      },
    };
  } finally {
    metrics.disable();
  }
}

/** `protection.decisions` as `protection route outcome` -> count. */
async function decisions(reader: ManualReader): Promise<Map<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, number>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const m of scope.metrics) {
      if (m.descriptor.name !== 'protection.decisions') continue;
      for (const p of (m as SumMetricData).dataPoints) {
        const a = p.attributes as Record<string, string>;
        out.set(`${a.protection} ${a.route} ${a.outcome}`, p.value);
      }
    }
  }
  return out;
}

/** A histogram or sum of the `nest-protection` meter, by name. */
async function instrument<T extends HistogramMetricData | SumMetricData>(
  reader: ManualReader,
  name: string,
): Promise<T | undefined> {
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'nest-protection');
  return scope?.metrics.find((m) => m.descriptor.name === name) as T | undefined;
}

const of = (events: ProtectionDecision[], route: string): ProtectionDecision[] =>
  events.filter((e) => e.route === route);

const statuses = (replies: Reply[]): number[] => replies.map((r) => r.status).sort();

for (const platform of PLATFORMS) {
  describe(`observability on ${platform}`, () => {
    let o: Observed;

    before(async () => {
      runs.clear();
      o = await startObserved(platform);
    });
    afterAll(() => o.close());

    it('counts decisions by route pattern: /users/1, /users/2 and /users/3 are one GET /obs/users/:id series', async () => {
      assert.equal((await request(`${o.url}/users/1`)).status, 200);
      assert.equal((await request(`${o.url}/users/2`)).status, 200);
      assert.equal((await request(`${o.url}/users/3`)).status, 429);
      const counts = await decisions(o.reader);
      assert.equal(counts.get('rateLimit GET /obs/users/:id allowed'), 2);
      assert.equal(counts.get('rateLimit GET /obs/users/:id rejected'), 1);
      const routes = [...counts.keys()].map((k) => k.split(' ').slice(1, -1).join(' '));
      assert.ok(
        routes.every((r) => r === '*' || /^[A-Z]+ \/obs\/[a-z-]+(\/:id)?$/.test(r)),
        `route patterns only, never a URL: ${routes.join(', ')}`,
      );
      assert.ok((counts.get('overload * allowed') ?? 0) >= 3, 'the overload gate admits them');
    });

    it('times the store calls in seconds, by operation and store', async () => {
      const duration = await instrument<HistogramMetricData>(o.reader, 'protection.store.duration');
      assert.ok(duration, 'protection.store.duration recorded');
      assert.equal(duration.descriptor.unit, 's');
      const apply = duration.dataPoints.find(
        (p) => p.attributes.operation === 'rateLimit.apply' && p.attributes.store === 'memory',
      );
      assert.ok(apply, JSON.stringify(duration.dataPoints.map((p) => p.attributes)));
      assert.ok(apply.value.count >= 3, `count ${apply.value.count}`);
      const sum = apply.value.sum ?? 0;
      assert.ok(sum > 0 && sum < 1, `sum ${sum} s`);
      const inflight = await instrument<SumMetricData>(o.reader, 'protection.inflight');
      assert.equal(inflight?.dataPoints[0]?.value, 0, 'nothing in flight between requests');
    });

    it('hands onDecision typed events: route, outcome, client address key, kind of identity, reason, status', async () => {
      await request(`${o.url}/limited`, { headers: { 'x-user': 'ann' } });
      await request(`${o.url}/limited`, { headers: { 'x-user': 'ann' } });
      assert.deepEqual(of(o.events, 'GET /obs/limited'), [
        {
          protection: 'rateLimit',
          route: 'GET /obs/limited',
          outcome: 'allowed',
          client: '127.0.0.1',
          identity: 'user',
        },
        {
          protection: 'rateLimit',
          route: 'GET /obs/limited',
          outcome: 'rejected',
          client: '127.0.0.1',
          identity: 'user',
          reason: 'TOO_MANY_REQUESTS',
          status: 429,
        },
      ]);
      assert.deepEqual(
        of(o.events, 'GET /obs/users/:id').map((e) => [e.outcome, e.identity]),
        [
          ['allowed', 'address'],
          ['allowed', 'address'],
          ['rejected', 'address'],
        ],
      );
    });

    it('a route without a protection records nothing but the overload gate', async () => {
      const before = o.events.length;
      assert.equal((await request(`${o.url}/plain`)).status, 200);
      assert.deepEqual(
        o.events.slice(before).map((e) => `${e.protection} ${e.route} ${e.outcome}`),
        ['overload * allowed'],
      );
    });

    it('@RateLimit shadow: over the limit the handler runs, reported as shadow; enforced, 429', async () => {
      assert.deepEqual(statuses([await request(`${o.url}/limited-shadow`)]), [200]);
      const over = await request(`${o.url}/limited-shadow`);
      assert.equal(over.status, 200, over.text);
      assert.equal(over.json<{ run: number }>().run, 2);
      assert.equal(over.headers.get('retry-after'), null);
      assert.match(over.headers.get('ratelimit') ?? '', /"limited-shadow";r=0/);
      assert.deepEqual(
        of(o.events, 'GET /obs/limited-shadow').map((e) => [e.outcome, e.reason, e.status]),
        [
          ['allowed', undefined, undefined],
          ['shadow', 'TOO_MANY_REQUESTS', 429],
        ],
      );
      assert.equal((await decisions(o.reader)).get('rateLimit GET /obs/limited-shadow shadow'), 1);
      assert.equal((await request(`${o.url}/limited-enforce`)).status, 200);
      assert.equal((await request(`${o.url}/limited-enforce`)).status, 429);
    });

    it('@RateLimit: a shadow rule beside an enforced one reports its refusals; only the enforced one answers 429', async () => {
      const replies: Reply[] = [];
      for (let i = 0; i < 4; i++) replies.push(await request(`${o.url}/tightened`));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200, 429],
      );
      assert.match(replies[1]?.headers.get('ratelimit') ?? '', /"current";r=1;.*"stricter";r=0/);
      assert.deepEqual(
        of(o.events, 'GET /obs/tightened').map((e) => e.outcome),
        ['allowed', 'shadow', 'shadow', 'rejected'],
      );
    });

    it('@Debounce shadow: the duplicate runs the handler, reported as shadow; enforced, 208', async () => {
      assert.equal((await request(`${o.url}/debounce`, { method: 'POST' })).status, 201);
      assert.equal((await request(`${o.url}/debounce`, { method: 'POST' })).status, 208);
      const first = await request(`${o.url}/debounce-shadow`, { method: 'POST' });
      const second = await request(`${o.url}/debounce-shadow`, { method: 'POST' });
      assert.deepEqual([first.status, second.status], [201, 201]);
      assert.deepEqual([first.json().run, second.json().run], [1, 2]);
      assert.deepEqual(
        of(o.events, 'POST /obs/debounce-shadow').map((e) => [e.outcome, e.reason, e.status]),
        [
          ['allowed', undefined, undefined],
          ['shadow', 'DEBOUNCED', 208],
        ],
      );
      assert.deepEqual(
        of(o.events, 'POST /obs/debounce').map((e) => [e.outcome, e.reason]),
        [
          ['allowed', undefined],
          ['rejected', 'DEBOUNCED'],
        ],
      );
    });

    it('@DoubleKill shadow: the concurrent call runs without the lock, reported as shadow; enforced, 202', async () => {
      const enforced = await Promise.all([
        request(`${o.url}/job`),
        startingAfter(50, () => request(`${o.url}/job`)),
      ]);
      assert.deepEqual(statuses(enforced), [200, 202]);
      const shadowed = await Promise.all([
        request(`${o.url}/job-shadow`),
        startingAfter(50, () => request(`${o.url}/job-shadow`)),
      ]);
      assert.deepEqual(statuses(shadowed), [200, 200]);
      assert.deepEqual(shadowed.map((r) => r.json().run).sort(), [1, 2]);
      assert.deepEqual(
        of(o.events, 'GET /obs/job-shadow').map((e) => [e.protection, e.outcome, e.reason]),
        [
          ['doubleKill', 'allowed', undefined],
          ['doubleKill', 'shadow', 'DOUBLE_KILLED'],
        ],
      );
      assert.deepEqual(
        of(o.events, 'GET /obs/job').map((e) => [e.outcome, e.reason, e.status]),
        [
          ['allowed', undefined, undefined],
          ['rejected', 'DOUBLE_KILLED', 202],
        ],
      );
    });

    it('@FirstBlood shadow: no CAPTCHA asked, the handler runs, reported as shadow; enforced, 406', async () => {
      const enforced = await request(`${o.url}/captcha`);
      assert.equal(enforced.status, 406);
      assert.ok(enforced.headers.get('client-ticket'));
      const shadowed = await request(`${o.url}/captcha-shadow`);
      assert.equal(shadowed.status, 200, shadowed.text);
      assert.equal(shadowed.headers.get('client-ticket'), null, 'no challenge sent');
      assert.equal(shadowed.headers.get('set-cookie'), null);
      assert.deepEqual(
        of(o.events, 'GET /obs/captcha-shadow').map((e) => [e.outcome, e.reason, e.status]),
        [['shadow', 'CAPTCHA_REQUIRED', 406]],
      );
    });

    it('@Righter shadow: a commit without a token runs (no audit data), reported as shadow; enforced, 409', async () => {
      assert.equal((await request(`${o.url}/commit`, { method: 'PUT' })).status, 409);
      const shadowed = await request(`${o.url}/commit-shadow`, { method: 'PUT' });
      assert.equal(shadowed.status, 200, shadowed.text);
      assert.deepEqual(shadowed.json(), { audit: null });
      assert.deepEqual(
        of(o.events, 'PUT /obs/commit-shadow').map((e) => [e.outcome, e.reason, e.status]),
        [['shadow', 'FORGERY', 409]],
      );
      assert.deepEqual(
        of(o.events, 'PUT /obs/commit').map((e) => [e.outcome, e.reason]),
        [['rejected', 'FORGERY']],
      );
    });

    it('@Signed shadow: an unsigned call runs, reported as shadow; enforced, 401', async () => {
      assert.equal((await request(`${o.url}/signed`)).status, 401);
      const shadowed = await request(`${o.url}/signed-shadow`);
      assert.equal(shadowed.status, 200, shadowed.text);
      assert.deepEqual(
        of(o.events, 'GET /obs/signed-shadow').map((e) => [e.outcome, e.reason, e.status]),
        [['shadow', 'SIGNATURE_MISSING', 401]],
      );
    });

    it('@PageDefault budget shadow: a page past the budget is served, reported as shadow; enforced, 429', async () => {
      assert.equal((await request(`${o.url}/pages?page=1`)).status, 200);
      assert.equal((await request(`${o.url}/pages?page=2`)).status, 429);
      assert.equal((await request(`${o.url}/pages-shadow?page=1`)).status, 200);
      const over = await request(`${o.url}/pages-shadow?page=2`);
      assert.equal(over.status, 200, over.text);
      assert.deepEqual(over.json<{ data: number[] }>().data, [5, 6, 7, 8, 9]);
      assert.deepEqual(
        of(o.events, 'GET /obs/pages-shadow').map((e) => [e.protection, e.outcome, e.reason]),
        [
          ['pageBudget', 'allowed', undefined],
          ['pageBudget', 'shadow', 'SCRAPING_BUDGET'],
        ],
      );
      const counts = await decisions(o.reader);
      assert.equal(counts.get('pageBudget GET /obs/pages rejected'), 1);
      assert.equal(counts.get('pageBudget GET /obs/pages-shadow shadow'), 1);
    });

    it('overload shadow (module mode): past maxConcurrent the request is admitted, reported as shadow; enforced, 503', async () => {
      for (const mode of ['enforce', 'shadow'] as const) {
        const app = await startObserved(platform, { overload: { maxConcurrent: 1, mode } });
        try {
          const replies = await Promise.all([
            request(`${app.url}/slow`),
            startingAfter(50, () => request(`${app.url}/slow`)),
          ]);
          assert.deepEqual(statuses(replies), mode === 'shadow' ? [200, 200] : [200, 503], mode);
          const refused = app.events.filter((e) => e.outcome !== 'allowed');
          assert.deepEqual(
            refused.map((e) => [e.protection, e.route, e.outcome, e.reason, e.status]),
            [['overload', '*', mode === 'shadow' ? 'shadow' : 'rejected', 'OVERLOADED', 503]],
          );
        } finally {
          await app.close();
        }
      }
    });

    it("module mode: rateLimit: { mode: 'shadow' } shadows the rules; a decorator's mode: 'enforce' still refuses", async () => {
      const app = await startObserved(platform, { rateLimit: { mode: 'shadow' } });
      try {
        assert.deepEqual(
          statuses([await request(`${app.url}/limited`), await request(`${app.url}/limited`)]),
          [200, 200],
        );
        assert.equal((await request(`${app.url}/limited-enforce`)).status, 200);
        assert.equal((await request(`${app.url}/limited-enforce`)).status, 429);
        const counts = await decisions(app.reader);
        assert.equal(counts.get('rateLimit GET /obs/limited shadow'), 1);
        assert.equal(counts.get('rateLimit GET /obs/limited-enforce rejected'), 1);
      } finally {
        await app.close();
      }
    });

    it('a throwing onDecision never breaks a request', async () => {
      let calls = 0;
      const app = await startObserved(platform, {
        onDecision: () => {
          calls++;
          throw new Error('a bug in the listener');
        },
      });
      try {
        assert.equal((await request(`${app.url}/limited`)).status, 200);
        assert.equal((await request(`${app.url}/limited`)).status, 429);
        assert.equal((await request(`${app.url}/commit`, { method: 'PUT' })).status, 409);
        assert.equal((await request(`${app.url}/plain`)).status, 200);
        assert.ok(calls >= 7, `${calls} calls`);
        assert.equal((await decisions(app.reader)).get('rateLimit GET /obs/limited rejected'), 1);
      } finally {
        await app.close();
      }
    });

    it("store down: 'open' and 'local' serve degraded, counted in protection.store.errors", async () => {
      const memory = new MemoryStore();
      const down = (): Promise<never> => Promise.reject(new StoreUnavailableError('down'));
      const store: ProtectionStore = {
        debounce: memory.debounce,
        locks: memory.locks,
        captcha: memory.captcha,
        records: memory.records,
        rateLimit: { apply: down, reset: down },
        shared: false,
        init: () => memory.init(),
        close: () => memory.close(),
      };
      for (const onStoreError of ['open', 'local'] as const) {
        const app = await startObserved(platform, {
          store,
          rateLimit: { onStoreError },
          overload: { perIp: false },
        });
        try {
          assert.equal((await request(`${app.url}/limited`)).status, 200);
          const second = (await request(`${app.url}/limited`)).status;
          assert.equal(second, onStoreError === 'open' ? 200 : 429, onStoreError);
          const counts = await decisions(app.reader);
          assert.equal(
            counts.get('rateLimit GET /obs/limited degraded'),
            onStoreError === 'open' ? 2 : 1,
          );
          const errors = await instrument<SumMetricData>(app.reader, 'protection.store.errors');
          const applyErrors = errors?.dataPoints.find(
            (p) => p.attributes.operation === 'rateLimit.apply' && p.attributes.store === 'custom',
          );
          assert.equal(applyErrors?.value, 2, onStoreError);
        } finally {
          await app.close();
        }
      }
    });
  });
}

describe('the demo: GET /metrics', () => {
  let demo: RunningApp;

  before(async () => {
    metrics.disable(); // the demo registers its own provider, as main.ts does
    demo = await startDemo({ platform: 'fastify' });
  });
  afterAll(async () => {
    await demo.close();
    metrics.disable();
  });

  it('serves Prometheus text with non-zero protection_decisions_total lines by route pattern', async () => {
    for (let i = 0; i < 3; i++) await request(`${demo.url}/test/rate-limit.json`);
    await request(`${demo.url}/test/righter.json`, { method: 'POST' });
    const scrape = await request(`${demo.url}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const lines = scrape.text.split('\n');
    const value = (protection: string, route: string, outcome: string): number => {
      const line = lines.find(
        (l) =>
          l.startsWith('protection_decisions_total{') &&
          l.includes(`protection="${protection}"`) &&
          l.includes(`route="${route}"`) &&
          l.includes(`outcome="${outcome}"`),
      );
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    assert.ok(value('rateLimit', 'GET /test/rate-limit.json', 'allowed') >= 3, scrape.text);
    assert.ok(value('righter', 'POST /test/righter.json', 'rejected') >= 1, scrape.text);
    assert.ok(value('overload', '*', 'allowed') >= 4);
    assert.ok(lines.some((l) => l.startsWith('protection_store_duration_count{')));
    assert.ok(lines.some((l) => l.startsWith('# TYPE protection_inflight')));
    assert.ok(!scrape.text.includes('/test/rate-limit.json?'), 'no query strings, no raw URLs');
  });

  it('is not in the Swagger document', async () => {
    const app: INestApplication = demo.app;
    const { SwaggerModule, DocumentBuilder } = await import('@nestjs/swagger');
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    assert.equal(doc.paths['/metrics'], undefined);
  });
});
