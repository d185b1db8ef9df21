import { Controller, HttpCode, Post, type LoggerService } from '@nestjs/common';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after as afterAll, before, describe, it } from 'node:test';
import { RateLimit, type ProtectionModuleOptions } from 'nest-protection';
import { singleUseRoutes } from './helpers/single-use-routes';
import { post, request, type Reply } from './helpers/http';
import {
  PLATFORMS,
  protectedModule,
  startModule,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

/*
 * A flood of new keys never erases live security state: with a small `memory.maxEntries`, a
 * single-use token stays used and a rate-limit block stays in force; past the bound, new keys
 * are refused by the feature's `onStoreError` (503 STORE_FULL when closed, served and warned
 * when open). On Redis nothing is evicted by the library at all.
 */

const MAX = 50;
const FLOOD = 120;

@Controller('f')
class RateLimitedController {
  @Post('login')
  @HttpCode(200)
  @RateLimit({ key: 'ip', limit: 1, window: 60_000 })
  login(): string {
    return 'tried';
  }

  @Post('other')
  @HttpCode(200)
  @RateLimit({ key: 'ip', limit: 5, window: 60_000 })
  other(): string {
    return 'ok';
  }
}

/** Both under /f: the single-use routes and two rate-limited ones. */
const FLOOD_CONTROLLERS = [singleUseRoutes('f', 'flood'), RateLimitedController];

function warnings(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const keep = (m: unknown): void => void lines.push(String(m));
  return { lines, logger: { log: () => undefined, warn: keep, error: keep } };
}

const token = async (app: RunningApp): Promise<string> => {
  const r = await request(`${app.url}/f/edit`);
  const t = r.headers.get('right-editor');
  assert.ok(t, `${r.status} ${r.text}`);
  return t;
};
const useOnce = (app: RunningApp, t: string): Promise<Reply> =>
  post(`${app.url}/f/once`, { headers: { 'right-editor': t } });

/** Statuses of `replies`, counted: { '200': 49, '503 STORE_FULL': 71 }. */
function tally(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const code = r.status === 200 ? '' : ` ${r.json<{ code: string }>().code}`;
    out[`${r.status}${code}`] = (out[`${r.status}${code}`] ?? 0) + 1;
  }
  return out;
}

/** The three flood checks against one app; `fits` is how many new keys the flood may add. */
function floodChecks(
  app: () => RunningApp,
  expected: () => Record<string, Record<string, number>>,
): void {
  it('a used single-use token stays used after a flood of other tokens', async () => {
    const mine = await token(app());
    assert.equal((await useOnce(app(), mine)).status, 200);
    assert.equal((await useOnce(app(), mine)).status, 409, 'a replay');
    const flood: Reply[] = [];
    for (let i = 0; i < FLOOD; i++) flood.push(await useOnce(app(), await token(app())));
    assert.deepEqual(tally(flood), expected().once);
    const full = flood.find((r) => r.status === 503);
    if (full) assert.equal(full.headers.get('retry-after'), '1');
    const replay = await useOnce(app(), mine);
    assert.equal(replay.status, 409, `after the flood the replay is still refused: ${replay.text}`);
  });

  it('a rate-limit block stays in force after a flood of new clients on another rule', async () => {
    const attacker = { from: '127.0.9.1' };
    assert.equal((await post(`${app().url}/f/login`, attacker)).status, 200);
    assert.equal((await post(`${app().url}/f/login`, attacker)).status, 429);
    const flood: Reply[] = [];
    for (let i = 0; i < FLOOD; i++)
      flood.push(await post(`${app().url}/f/other`, { from: `127.0.10.${i + 1}` }));
    assert.deepEqual(tally(flood), expected().rateLimit);
    const again = await post(`${app().url}/f/login`, attacker);
    assert.equal(again.status, 429, `after the flood the block holds: ${again.text}`);
  });
}

const base: ProtectionModuleOptions = {
  memory: { maxEntries: MAX },
  overload: false,
  righter: { secret: TEST_SECRET },
};

for (const platform of PLATFORMS) {
  describe(`Flood against a full memory store on ${platform} (memory.maxEntries ${MAX})`, () => {
    describe('default policies (righter closed, rate limit local): 503 STORE_FULL past the bound', () => {
      let app: RunningApp;
      const log = warnings();
      before(async () => {
        app = await startModule(
          protectedModule(base, FLOOD_CONTROLLERS),
          platform,
          undefined,
          log.logger,
        );
      });
      afterAll(() => app.close());
      // One table per purpose: the righter table holds the first token and 49 more; the
      // rate-limit table the attacker's login window and 49 new clients.
      floodChecks(
        () => app,
        () => ({
          once: { '200': MAX - 1, '503 STORE_FULL': FLOOD - MAX + 1 },
          rateLimit: { '200': MAX - 1, '503 STORE_FULL': FLOOD - MAX + 1 },
        }),
      );
      // Warnings are throttled process-wide (one per feature and kind every 10 s): the first app only.
      if (platform === PLATFORMS[0])
        it('says why, naming the table and the option', () => {
          assert.ok(
            log.lines.some((l) =>
              /Righter: request refused \(503\), memory table "righter single-use marks" holds 50 live entries \(memory\.maxEntries\)/.test(
                l,
              ),
            ),
            log.lines.join('\n'),
          );
          assert.ok(
            log.lines.some((l) => /"rate-limit windows" holds 50/.test(l)),
            log.lines.join('\n'),
          );
        });
    });

    describe("onStoreError 'open': the flood is served and warned about, the state is kept", () => {
      let app: RunningApp;
      const log = warnings();
      before(async () => {
        const options: ProtectionModuleOptions = {
          ...base,
          righter: { secret: TEST_SECRET, onStoreError: 'open' },
          rateLimit: { onStoreError: 'open' },
        };
        app = await startModule(
          protectedModule(options, FLOOD_CONTROLLERS),
          platform,
          undefined,
          log.logger,
        );
      });
      afterAll(() => app.close());
      floodChecks(
        () => app,
        () => ({ once: { '200': FLOOD }, rateLimit: { '200': FLOOD } }),
      );
      if (platform === PLATFORMS[0])
        it('warns that requests were served unprotected', () => {
          assert.ok(
            log.lines.some((l) =>
              /store full, request served unprotected \(memory table "righter single-use marks"/.test(
                l,
              ),
            ),
            log.lines.join('\n'),
          );
        });
    });
  });
}

describe('Flood against a Redis store: nothing is evicted, nothing refused', () => {
  let redis: TestRedis;
  let app: RunningApp;
  before(async () => {
    redis = await TestRedis.start();
    const options: ProtectionModuleOptions = {
      ...base,
      secret: TEST_SECRET,
      store: { redis: redis.url },
    };
    app = await startModule(protectedModule(options, FLOOD_CONTROLLERS), 'fastify');
  });
  afterAll(async () => {
    await app.close();
    await redis.stop();
  });
  floodChecks(
    () => app,
    () => ({ once: { '200': FLOOD }, rateLimit: { '200': FLOOD } }),
  );

  it('warns at boot when Redis may evict keys under memory pressure, naming the fix', async () => {
    const admin = new Redis(redis.url);
    const quiet = warnings();
    const noisy = warnings();
    const options: ProtectionModuleOptions = { secret: TEST_SECRET, store: { redis: redis.url } };
    try {
      // maxmemory 0 (the default): nothing is ever evicted, nothing to say.
      const a = await startModule(protectedModule(options, []), 'fastify', undefined, quiet.logger);
      await a.close();
      await admin.config('SET', 'maxmemory', '512mb');
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const b = await startModule(protectedModule(options, []), 'fastify', undefined, noisy.logger);
      await b.close();
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
    assert.ok(!quiet.lines.some((l) => l.includes('maxmemory')), quiet.lines.join('\n'));
    assert.ok(
      noisy.lines.some((l) =>
        /Redis maxmemory-policy is allkeys-lru: .* Set maxmemory-policy noeviction/.test(l),
      ),
      noisy.lines.join('\n'),
    );
  });
});
