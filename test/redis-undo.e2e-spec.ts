import { Controller, HttpCode, Injectable, Param, Post } from '@nestjs/common';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { after as afterAll, before, describe, it } from 'node:test';
import { DoubleKill, type ProtectionModuleOptions } from 'nest-protection';
import { singleUseRoutes } from './helpers/single-use-routes';
import { post, request, sleep } from './helpers/http';
import {
  PLATFORMS,
  protectedModule,
  startModule,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';
import { TestRedis } from './helpers/redis-server';

/*
 * Nothing runs behind the caller's back: Redis frozen (SIGSTOP) makes a command time out, and
 * on SIGCONT Redis still runs it. What the library then holds for a request it answered 503 (a
 * lock, a single-use mark) is undone once Redis answers again, well within a second.
 */

const TIMEOUT = 150;

@Injectable()
class Jobs {
  runs = 0;

  @DoubleKill({ key: (id: string) => id, lease: 30_000 })
  async run(id: string, ms: number): Promise<string> {
    this.runs++;
    await sleep(ms);
    return id;
  }
}

@Controller('u')
class JobController {
  constructor(private readonly jobs: Jobs) {}

  @Post('job/:id/:ms')
  @HttpCode(200)
  job(@Param('id') id: string, @Param('ms') ms: string): Promise<string> {
    return this.jobs.run(id, Number(ms));
  }
}

/** Polls `check` every 20 ms for up to `ms`; returns how long it took to hold. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

for (const platform of PLATFORMS) {
  describe(`Undo after a Redis timeout on ${platform}`, () => {
    let redis: TestRedis;
    let admin: Redis;
    let app: RunningApp;
    before(async () => {
      redis = await TestRedis.start();
      admin = new Redis(redis.url);
      const options: ProtectionModuleOptions = {
        secret: TEST_SECRET,
        store: { redis: redis.url, commandTimeout: TIMEOUT },
        overload: false,
      };
      app = await startModule(
        protectedModule(options, [singleUseRoutes('u', 'undo'), JobController], [Jobs]),
        platform,
      );
    });
    afterAll(async () => {
      redis.resume();
      await app.close();
      admin.disconnect();
      await redis.stop();
    });
    const locks = async (): Promise<number> =>
      (await admin.keys('np:lock:*')).filter((k) => !k.endsWith(':fencing')).length;

    it('a single-use token refused with 503 while Redis hung is not burned', async () => {
      const token = (await request(`${app.url}/u/edit`)).headers.get('right-editor') ?? '';
      redis.pause();
      const refused = await post(`${app.url}/u/once`, { headers: { 'right-editor': token } });
      redis.resume();
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
      // Redis ran the SET on resume; the mark is then taken back.
      const ms = await within(1000, async () => (await admin.keys('np:once:*')).length === 0);
      assert.ok(ms <= 1000, `${ms} ms`);
      const used = await post(`${app.url}/u/once`, { headers: { 'right-editor': token } });
      assert.equal(used.status, 200, `the token still works: ${used.text}`);
      const replay = await post(`${app.url}/u/once`, { headers: { 'right-editor': token } });
      assert.equal(replay.status, 409, 'and is single-use again');
    });

    it('a lock acquired by a command that timed out is released once Redis answers', async () => {
      redis.pause();
      const refused = await post(`${app.url}/u/job/a-${platform}/10`);
      redis.resume();
      assert.equal(refused.status, 503, refused.text);
      await within(1000, async () => (await locks()) === 0);
      const ok = await post(`${app.url}/u/job/a-${platform}/10`);
      assert.equal(ok.status, 200, `the key is free: ${ok.text}`);
    });

    it('a release lost while Redis hung is retried, not left for the 30 s lease', async () => {
      const running = post(`${app.url}/u/job/b-${platform}/300`);
      await within(1000, async () => (await locks()) === 1);
      redis.pause();
      await sleep(400); // the call ends and its release times out meanwhile
      redis.resume();
      assert.equal((await running).status, 200);
      const ms = await within(1000, async () => (await locks()) === 0);
      assert.ok(ms <= 1000);
      assert.equal((await post(`${app.url}/u/job/b-${platform}/10`)).status, 200);
    });
  });
}
