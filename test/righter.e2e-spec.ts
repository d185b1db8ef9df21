import { Body, Controller, Get, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  ProtectionModule,
  Righter,
  RighterAudit,
  RighterService,
  type ProtectionModuleOptions,
  ProtectionSession,
} from 'nest-protection';
import { post, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  startDemo,
  startModule,
  startRedisPair,
  type RedisPair,
  type RunningApp,
  TEST_SECRET,
} from './helpers/platforms';
import type { TestRedis } from './helpers/redis-server';

/* @Righter tokens: issue, commit, every kind of forgery, options; the demo fixtures plus a test module. */

const S1 = 'first-secret-of-at-least-32-characters!!';
const S2 = 'second-secret-of-at-least-32-characters!';
let runs = 0;

@Controller('r')
class RighterTestController {
  constructor(private readonly righter: RighterService) {}

  @Get('edit')
  @Righter(false)
  edit(): { id: number } {
    this.righter.allow({ id: 7 });
    return { id: 7 };
  }

  @Get('short')
  @Righter({ edit: true, ttl: 1, scope: 'short' })
  short(): string {
    return this.righter.allow({ short: true });
  }

  @Post('short')
  @HttpCode(200)
  @Righter({ scope: 'short' })
  shortCommit(@RighterAudit() audit: unknown): unknown {
    return audit;
  }

  @Post('edit')
  @HttpCode(200)
  @Righter()
  commit(
    @RighterAudit() audit: unknown,
    @Body() body: unknown,
  ): { audit: unknown; body: unknown; runs: number } {
    return { audit, body, runs: ++runs };
  }

  @Post('once')
  @HttpCode(200)
  @Righter({ once: true, scope: '/r/edit' })
  once(): { audit: unknown } {
    return { audit: this.righter.audit() };
  }

  @Post('other')
  @HttpCode(200)
  @Righter()
  other(): string {
    return 'other';
  }

  @Get('misuse')
  misuse(): { error: string } {
    try {
      this.righter.allow({});
      return { error: 'none' };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}

@Module({})
class RighterTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: RighterTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [RighterTestController],
    };
  }
}

const FORGERY = { statusCode: 409, code: 'FORGERY', message: 'forgery of editor' };
function assertForgery(r: Reply, label: string): void {
  assert.equal(r.status, 409, `${label}: ${r.status} ${r.text}`);
  assert.deepEqual(r.json(), FORGERY, label);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
}
const tokenOf = (r: Reply): string => {
  const t = r.headers.get('right-editor');
  assert.ok(t, 'edit route returns Right-Editor');
  return t;
};

for (const platform of PLATFORMS) {
  describe(`@Righter on ${platform}`, () => {
    let demo: RunningApp;
    let app: RunningApp;
    let rotated: RunningApp;
    before(async () => {
      demo = await startDemo({ platform });
      app = await startModule(RighterTestModule.with({ righter: { secret: S1 } }), platform, (a) =>
        a.enableCors({ origin: '*' }),
      );
      rotated = await startModule(
        RighterTestModule.with({ righter: { secret: [S2, S1] } }),
        platform,
      );
    });
    afterAll(() => Promise.all([demo.close(), app.close(), rotated.close()]));

    it('round trip on the demo: the edit view seals, the commit returns the audit', async () => {
      const edit = await request(`${demo.url}/test/righter.json`);
      assert.deepEqual(edit.json(), { uid: 1, perms: ['a', 'b'] });
      const commit = await post(`${demo.url}/test/righter.json`, {
        headers: { 'right-editor': tokenOf(edit) },
      });
      assert.equal(commit.status, 200, commit.text);
      assert.deepEqual(commit.json(), { uid: 1, perms: ['a', 'b'] });
    });

    it('refuses every missing, malformed, tampered or oversized token with 409 and never runs the handler', async () => {
      const token = tokenOf(await request(`${app.url}/r/edit`));
      const before = runs;
      const mid = Math.floor(token.length / 2);
      const flip = (c: string): string => (c === 'A' ? 'B' : 'A');
      const bad: Array<[string, string | undefined]> = [
        ['missing', undefined],
        ['empty', ''],
        ['tampered', token.slice(0, mid) + flip(token[mid] ?? 'A') + token.slice(mid + 1)],
        ['truncated', token.slice(0, -4)],
        ['appended', token + 'x'],
        ['oversized', token + 'A'.repeat(9000)],
        ['garbage', 'not a token at all!'],
        ['random bytes', randomBytes(120).toString('base64url')],
        ['other version', 'Ag' + token.slice(2)],
      ];
      for (const [label, value] of bad) {
        const r = await post(`${app.url}/r/edit`, {
          headers: value === undefined ? {} : { 'right-editor': value },
          json: { x: 1 },
        });
        assertForgery(r, label);
      }
      assert.equal(runs, before, 'handler never ran');
      const ok = await post(`${app.url}/r/edit`, {
        headers: { 'right-editor': token },
        json: { x: 1 },
      });
      assert.deepEqual(ok.json(), { audit: { id: 7 }, body: { x: 1 }, runs: before + 1 });
    });

    it('binds the token to the client: another session or another sessionless client gets 409', async () => {
      const sessions = app.app.get(ProtectionSession);
      const [alice, bob] = [sessions.issue(), sessions.issue()];
      const s = await request(`${app.url}/r/edit`, { headers: { session: alice } });
      assertForgery(
        await post(`${app.url}/r/edit`, {
          headers: { session: bob, 'right-editor': tokenOf(s) },
        }),
        'other session',
      );
      assert.equal(
        (
          await post(`${app.url}/r/edit`, {
            headers: { session: alice, 'right-editor': tokenOf(s) },
          })
        ).status,
        200,
      );
      const anon = await request(`${app.url}/r/edit`, { headers: { 'user-agent': 'browser-A' } });
      assertForgery(
        await post(`${app.url}/r/edit`, {
          headers: { 'user-agent': 'browser-B', 'right-editor': tokenOf(anon) },
        }),
        'other sessionless client',
      );
      assert.equal(
        (
          await post(`${app.url}/r/edit`, {
            headers: { 'user-agent': 'browser-A', 'right-editor': tokenOf(anon) },
          })
        ).status,
        200,
      );
    });

    it('binds the token to its route scope', async () => {
      const token = tokenOf(await request(`${app.url}/r/edit`));
      assertForgery(
        await post(`${app.url}/r/other`, { headers: { 'right-editor': token } }),
        'foreign route',
      );
    });

    it('expires tokens after ttl (1 s here)', async () => {
      const r = await request(`${app.url}/r/short`);
      const token = tokenOf(r);
      assert.equal(r.text, token, 'allow() returns the token');
      const inTime = await post(`${app.url}/r/short`, { headers: { 'right-editor': token } });
      assert.deepEqual(inTime.json(), { short: true });
      await sleep(1100);
      assertForgery(
        await post(`${app.url}/r/short`, { headers: { 'right-editor': token } }),
        'expired',
      );
    });

    it('once: a replayed token gets 409', async () => {
      const token = tokenOf(await request(`${app.url}/r/edit`));
      const first = await post(`${app.url}/r/once`, { headers: { 'right-editor': token } });
      assert.deepEqual(first.json(), { audit: { id: 7 } });
      assertForgery(
        await post(`${app.url}/r/once`, { headers: { 'right-editor': token } }),
        'replay',
      );
    });

    it('rotates secrets: the first seals, all open', async () => {
      const old = tokenOf(await request(`${app.url}/r/edit`)); // sealed with S1
      assert.equal(
        (await post(`${rotated.url}/r/edit`, { headers: { 'right-editor': old } })).status,
        200,
        'S1 token opens with [S2, S1]',
      );
      const fresh = tokenOf(await request(`${rotated.url}/r/edit`)); // sealed with S2
      assertForgery(
        await post(`${app.url}/r/edit`, { headers: { 'right-editor': fresh } }),
        'S2 token on an S1-only app',
      );
    });

    it('exposes Right-Editor through CORS when CORS is on', async () => {
      const r = await request(`${app.url}/r/edit`, { headers: { origin: 'http://example.test' } });
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /Right-Editor/);
      const plain = await request(`${rotated.url}/r/edit`);
      assert.equal(plain.headers.get('access-control-expose-headers'), null);
    });

    it('allow() outside a @Righter(false) route throws an Error naming the route', async () => {
      const r = await request(`${app.url}/r/misuse`);
      assert.match(
        r.json<{ error: string }>().error,
        /allow\(\) called outside a @Righter\(false\) route \(GET \/r\/misuse\)/,
      );
    });
  });
}

describe('@Righter across two instances on one Redis (one configured secret)', () => {
  let pair: RedisPair;
  let a: RunningApp;
  let b: RunningApp;
  let redis: TestRedis;
  before(async () => {
    pair = await startRedisPair();
    ({ a, b, redis } = pair);
  });
  afterAll(() => pair.close());

  it('opens on B a token issued on A (both sign with the same module secret)', async () => {
    const token = tokenOf(await request(`${a.url}/test/righter.json`));
    const r = await post(`${b.url}/test/righter.json`, { headers: { 'right-editor': token } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), { uid: 1, perms: ['a', 'b'] });
  });

  it('once holds across instances: a token used on A is refused on B', async () => {
    const opts = {
      secret: TEST_SECRET,
      righter: { secret: S1 },
      store: { redis: redis.url },
    } as const;
    const x = await startModule(RighterTestModule.with(opts), 'fastify');
    const y = await startModule(RighterTestModule.with(opts), 'express');
    try {
      const token = tokenOf(await request(`${x.url}/r/edit`));
      assert.equal(
        (await post(`${x.url}/r/once`, { headers: { 'right-editor': token } })).status,
        200,
      );
      assertForgery(
        await post(`${y.url}/r/once`, { headers: { 'right-editor': token } }),
        'replay on the other instance',
      );
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });

  it('with Redis down, tokens still seal and open (the secret is not in the store); a single-use commit answers 503, never a free pass', async () => {
    await redis.stop();
    const c = await startModule(
      RighterTestModule.with({
        secret: TEST_SECRET,
        store: { redis: redis.url, commandTimeout: 200 },
      }),
      'fastify',
    );
    try {
      const edit = await request(`${c.url}/r/edit`);
      assert.equal(edit.status, 200, edit.text);
      const token = tokenOf(edit);
      const once = await post(`${c.url}/r/once`, { headers: { 'right-editor': token } });
      assert.equal(once.status, 503, once.text);
      assert.equal(once.json<{ code: string }>().code, 'STORE_UNAVAILABLE');
      assertForgery(await post(`${c.url}/r/once`, { headers: { 'right-editor': 'x' } }), 'forged');
    } finally {
      await c.close();
      await redis.start();
    }
  });
});
