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
  ProtectionModule,
  ProtectionSession,
  Terminal,
  TerminalContext,
  TerminalService,
  type ProtectionModuleOptions,
  type TerminalInfo,
} from 'nest-protection';
import { request } from './helpers/http';
import { PLATFORMS, startDemo, startModule, type RunningApp } from './helpers/platforms';

/* Terminal info (ip, agent, locale, zone, user, request id), through the demo fixtures and a test module. */

type Info = {
  ip: string;
  agent: string;
  locale: string;
  zone: string;
  userId: string | null;
  requestId: string;
};
const serverZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (req.headers['x-user']) req.user = { id: Number(req.headers['x-user']) };
    return true;
  }
}

/** A service deep in the call chain: reads the context without the request. */
@Injectable()
class AuditService {
  constructor(private readonly terminal: TerminalService) {}
  async describe(): Promise<TerminalInfo> {
    await new Promise((r) => setTimeout(r, 5)); // across an async hop
    return { ...this.terminal.current() };
  }
}

@Controller('t')
class TerminalTestController {
  constructor(private readonly audit: AuditService) {}

  @Get('param')
  @UseGuards(FakeAuthGuard)
  param(@Terminal() t: TerminalInfo): TerminalInfo {
    return { ...t, userId: t.userId };
  }

  @Get('service')
  @UseGuards(FakeAuthGuard)
  service(): Promise<TerminalInfo> {
    return this.audit.describe();
  }
}

/** Reads the context statically, injecting nothing: AsyncLocalStorage stays off unless forced. */
@Controller('plain')
class StaticReaderController {
  @Get()
  async read(): Promise<{ requestId: string }> {
    await Promise.resolve();
    return { requestId: TerminalContext.current().requestId };
  }
}

@Module({})
class StaticReaderModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: StaticReaderModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [StaticReaderController],
    };
  }
}

@Module({})
class TerminalTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: TerminalTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [TerminalTestController],
      providers: [AuditService],
    };
  }
}

for (const platform of PLATFORMS) {
  describe(`Terminal info on ${platform}`, () => {
    let demo: RunningApp;
    let strict: RunningApp;
    let off: RunningApp;
    const info = async (query = '', headers: Record<string, string> = {}): Promise<Info> => {
      const r = await request(`${demo.url}/test/terminal.json${query}`, { headers });
      assert.equal(r.status, 200, r.text);
      return r.json<Info>();
    };
    before(async () => {
      demo = await startDemo({ platform });
      strict = await startModule(
        TerminalTestModule.with({
          trustProxy: false,
          terminal: { defaultLocale: 'de-DE', defaultZone: 'Europe/Berlin' },
        }),
        platform,
      );
      off = await startModule(TerminalTestModule.with({ terminal: false }), platform);
    });
    afterAll(() => Promise.all([demo.close(), strict.close(), off.close()]));

    it('ip: the socket address, or forwarding headers from a trusted proxy (loopback by default)', async () => {
      assert.equal((await info()).ip, '127.0.0.1');
      assert.equal(
        (await info('', { 'x-real-ip': '203.0.113.7' })).ip,
        '127.0.0.1',
        'X-Real-IP counts only when configured as the proxy header',
      );
      assert.equal(
        (await info('', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 127.0.0.2' })).ip,
        '203.0.113.9',
        'right-most untrusted',
      );
      assert.equal(
        (await info('', { 'x-forwarded-for': '198.51.100.1, 10.0.0.2' })).ip,
        '10.0.0.2',
        'private ranges are not trusted by default',
      );
      assert.equal(
        (await info('', { 'x-forwarded-for': 'garbage, ::ffff:203.0.113.5' })).ip,
        '203.0.113.5',
        'IPv4-mapped shown as IPv4',
      );
    });

    it('ip: ignores a spoofed X-Forwarded-For / X-Real-IP from an untrusted peer', async () => {
      const r = await request(`${strict.url}/t/param`, {
        headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '7.7.7.7' },
      });
      assert.equal(r.json<TerminalInfo>().ip, '127.0.0.1');
    });

    it('agent: the User-Agent as sent, without a trailing ";"', async () => {
      assert.equal(
        (await info('', { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' })).agent,
        'Mozilla/5.0 (X11; Linux x86_64)',
      );
    });

    it('locale: query, then Accept-Language (q-values, region kept), then cookie, then default', async () => {
      assert.equal((await info('?locale=en_US')).locale, 'en-US');
      assert.equal((await info('?locale=zh-cn', { 'accept-language': 'fr' })).locale, 'zh-CN');
      assert.equal((await info('', { 'accept-language': 'en-US,en;q=0.9' })).locale, 'en-US');
      assert.equal(
        (await info('', { 'accept-language': 'de;q=0.5, ja-JP;q=0.8, *;q=0.1' })).locale,
        'ja-JP',
      );
      assert.equal((await info('', { cookie: 'a=b; locale=pt_BR' })).locale, 'pt-BR');
      assert.equal(
        (await info('?locale=!!bad!!', { 'accept-language': 'x'.repeat(5000) })).locale,
        'en',
        'malformed ignored -> default',
      );
      assert.equal(
        (await request(`${strict.url}/t/param`)).json<TerminalInfo>().locale,
        'de-DE',
        'configured default',
      );
    });

    it('timezone: query, header, cookie, default; case-insensitive, unique partial names; unknown -> default', async () => {
      assert.equal((await info('?zoneid=tokyo')).zone, 'Asia/Tokyo');
      assert.equal((await info('?zoneid=america/new_york')).zone, 'America/New_York');
      assert.equal((await info('', { 'zone-id': 'Europe/Paris' })).zone, 'Europe/Paris');
      assert.equal((await info('', { cookie: 'zoneid=new york' })).zone, 'America/New_York');
      assert.equal(
        (await info('?zoneid=Mars/Olympus')).zone,
        serverZone,
        'unknown -> server zone, not GMT',
      );
      assert.equal(
        (await info('?zoneid=america')).zone,
        serverZone,
        'ambiguous partial -> default',
      );
      assert.equal(
        (await request(`${strict.url}/t/param?zoneid=nowhere`)).json<TerminalInfo>().timezone,
        'Europe/Berlin',
      );
    });

    it('userId: req.user.id when an auth guard set it, else null', async () => {
      assert.equal((await info()).userId, null);
      assert.equal(
        (
          await request(`${strict.url}/t/param`, { headers: { 'x-user': '42' } })
        ).json<TerminalInfo>().userId,
        '42',
      );
    });

    it('requestId: a safe X-Request-Id from a trusted proxy is kept and echoed; otherwise a new one', async () => {
      const kept = await request(`${demo.url}/test/terminal.json`, {
        headers: { 'x-request-id': 'abc-123' },
      });
      assert.equal(
        kept.json<Info>().requestId,
        'abc-123',
        'loopback is a trusted proxy by default',
      );
      assert.equal(kept.headers.get('x-request-id'), 'abc-123');
      const untrusted = await request(`${strict.url}/t/param`, {
        headers: { 'x-request-id': 'abc-123' },
      });
      assert.match(
        untrusted.headers.get('x-request-id') ?? '',
        /^[A-Za-z0-9_-]{16}$/,
        'a client that is no trusted proxy never chooses its id (it could name another request)',
      );
      for (const unsafe of ['a@b', 'a=b', 'x'.repeat(129)]) {
        const r = await request(`${demo.url}/test/terminal.json`, {
          headers: { 'x-request-id': unsafe },
        });
        assert.match(r.json<Info>().requestId, /^[A-Za-z0-9_-]{16}$/, unsafe.slice(0, 10));
      }
      const fresh = await request(`${demo.url}/test/terminal.json`, {
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      assert.match(fresh.json<Info>().requestId, /^[A-Za-z0-9_-]{16}$/);
      assert.equal(fresh.headers.get('x-request-id'), fresh.json<Info>().requestId);
      const none = await request(`${demo.url}/test/load/speed.html`);
      assert.match(
        none.headers.get('x-request-id') ?? '',
        /^[A-Za-z0-9_-]{16}$/,
        'every route echoes one',
      );
    });

    it('is visible in a service called from the request, across async hops, and via @Terminal()', async () => {
      const session = strict.app.get(ProtectionSession).issue();
      const r = await request(`${strict.url}/t/service?locale=fr`, {
        headers: { 'x-user': '9', session },
      });
      const t = r.json<TerminalInfo>();
      assert.deepEqual(
        [t.locale, t.userId, t.identity],
        ['fr', '9', 'u:9'],
        'the authenticated user outranks the session',
      );
      assert.match(t.requestId, /^[A-Za-z0-9_-]{16}$/);
      const anonymous = await request(`${strict.url}/t/service`, { headers: { session } });
      assert.equal(anonymous.json<TerminalInfo>().identity, 's:' + session);
      const m = await request(`${demo.url}/test/i18n-message.json`, {
        headers: { 'accept-language': 'en-US,en;q=0.9' },
      });
      assert.equal(m.text, 'Hello|en-US');
      const ja = await request(`${demo.url}/test/i18n-message.json?locale=ja_JP`);
      assert.equal(ja.text, 'こんにちは|ja-JP');
    });

    it('switched off: no request id echo, and the fixed system context', async () => {
      const r = await request(`${off.url}/t/service`);
      assert.equal(r.headers.get('x-request-id'), null);
      assert.equal(r.json<TerminalInfo>().identity, 'system');
    });
  });
}

for (const platform of PLATFORMS) {
  describe(`asyncContext on ${platform}`, () => {
    it("'auto' leaves AsyncLocalStorage off when nothing injects a context reader; true forces it", async () => {
      const auto = await startModule(StaticReaderModule.with({}), platform);
      const forced = await startModule(StaticReaderModule.with({ asyncContext: true }), platform);
      try {
        const a = await request(`${auto.url}/plain`, { headers: { 'x-request-id': 'rid-auto' } });
        assert.equal(
          a.json<{ requestId: string }>().requestId,
          'system',
          'no context without AsyncLocalStorage',
        );
        assert.equal(a.headers.get('x-request-id'), 'rid-auto', 'the echo does not need it');
        const f = await request(`${forced.url}/plain`, {
          headers: { 'x-request-id': 'rid-forced' },
        });
        assert.equal(f.json<{ requestId: string }>().requestId, 'rid-forced');
      } finally {
        await Promise.all([auto.close(), forced.close()]);
      }
    });
  });
}

describe('TerminalContext outside a request', () => {
  it('returns the fixed system context', () => {
    const t = TerminalContext.current();
    assert.deepEqual(
      [t.identity, t.requestId, t.userId, t.agent],
      ['system', 'system', null, 'system'],
    );
  });
});
