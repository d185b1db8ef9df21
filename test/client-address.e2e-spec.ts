import { Controller, Get, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { RateLimit, type ProtectionModuleOptions } from 'nest-protection';
import { request } from './helpers/http';
import { injectFrom } from './helpers/inject';
import { PLATFORMS, protectedModule, startModule, type RunningApp } from './helpers/platforms';
import { CLIENT_ADDRESS, startReverseProxy, type ReverseProxy } from './helpers/reverse-proxy';

/*
 * The client address is one an attacker cannot choose: forwarding headers count only from a
 * trusted proxy (loopback by default), read from the right; only the configured header is
 * read; IPv6 clients count by /64; the overload permit list sees the real client.
 */

@Controller('ca')
class AddressController {
  @Get('limited')
  @RateLimit({ limit: 5, window: 10_000, name: 'ip', key: 'ip' })
  limited(): string {
    return 'limited';
  }

  @Get('open')
  open(): string {
    return 'open';
  }
}

const addressModule = (options: ProtectionModuleOptions): DynamicModule =>
  protectedModule(options, [AddressController]);

const FIVE_THEN_LIMITED = [200, 200, 200, 200, 200, 429, 429, 429];

/** `send(i)` for i = 0..n-1, one after the other; their statuses. */
async function run(n: number, send: (i: number) => Promise<number>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push(await send(i));
  return statuses;
}

/** A different documentation-range address per request. */
const rotated = (i: number): string => `198.18.${i >> 8}.${i & 255}`;

for (const platform of PLATFORMS) {
  describe(`Client address on ${platform}`, () => {
    let app: RunningApp;
    let realIpApp: RunningApp;
    let alb: ReverseProxy;
    let ipport: ReverseProxy;
    let nginx: ReverseProxy;
    before(async () => {
      app = await startModule(addressModule({ overload: false }), platform);
      realIpApp = await startModule(
        addressModule({ overload: false, trustProxy: { header: 'x-real-ip' } }),
        platform,
      );
      alb = await startReverseProxy(app.url, 'alb');
      ipport = await startReverseProxy(app.url, 'ipport');
      nginx = await startReverseProxy(realIpApp.url, 'real-ip');
    });
    afterAll(async () => {
      await Promise.all([alb.close(), ipport.close(), nginx.close()]);
      await Promise.all([app.close(), realIpApp.close()]);
    });

    /** Through `proxy`, as the client at `client`, with `headers` of its own. */
    const via = async (
      proxy: ReverseProxy,
      client: string,
      headers: Record<string, string> = {},
    ): Promise<number> =>
      (
        await request(`${proxy.url}/ca/limited`, {
          headers: { [CLIENT_ADDRESS]: client, ...headers },
        })
      ).status;

    it('default trust: a LAN peer names no client, whatever X-Real-IP or X-Forwarded-For it sends', async () => {
      const fromLan = (peer: string, headers: Record<string, string>) => async () =>
        (await injectFrom(app.app, { remoteAddress: peer, url: '/ca/limited', headers })).status;
      assert.deepEqual(
        await run(8, (i) => fromLan('10.0.0.7', { 'x-real-ip': rotated(i) })()),
        FIVE_THEN_LIMITED,
        'rotating X-Real-IP',
      );
      assert.deepEqual(
        await run(8, (i) => fromLan('192.168.1.7', { 'x-forwarded-for': rotated(i) })()),
        FIVE_THEN_LIMITED,
        'rotating X-Forwarded-For',
      );
      assert.deepEqual(
        await run(8, (i) =>
          fromLan('fd00::7', { 'x-forwarded-for': `${rotated(i)}, 127.0.0.1` })(),
        ),
        FIVE_THEN_LIMITED,
        'a unique-local IPv6 peer is no proxy either',
      );
    });

    it('default trust: a loopback peer is a proxy, and its X-Forwarded-For names the client', async () => {
      const fromProxy = async (client: string): Promise<number> =>
        (
          await injectFrom(app.app, {
            remoteAddress: '127.0.0.1',
            url: '/ca/limited',
            headers: { 'x-forwarded-for': `6.6.6.6, ${client}` },
          })
        ).status;
      assert.deepEqual(await run(8, () => fromProxy('198.51.100.50')), FIVE_THEN_LIMITED);
      assert.equal(await fromProxy('198.51.100.51'), 200, 'another client, its own budget');
    });

    it('X-Real-IP does not beat X-Forwarded-For: behind an ALB, rotating it changes nothing', async () => {
      const rotation = ['127.0.0.1', '::1', '10.0.0.1', '203.0.113.1'];
      assert.deepEqual(
        await run(8, (i) =>
          via(alb, '198.51.100.20', { 'x-real-ip': rotation[i % 4] ?? rotated(i) }),
        ),
        FIVE_THEN_LIMITED,
      );
    });

    it('{ header: "x-real-ip" } behind nginx: the client-sent X-Forwarded-For changes nothing', async () => {
      const statuses = await run(8, (i) =>
        via(nginx, '198.51.100.21', { 'x-forwarded-for': rotated(i) }),
      );
      assert.deepEqual(statuses, FIVE_THEN_LIMITED);
    });

    it('a long client-written X-Forwarded-For: the entry the proxy appended still counts', async () => {
      // Over 2,048 characters of junk, different on every request.
      const junk = (i: number): string =>
        Array.from({ length: 200 }, (_, k) => rotated(i * 200 + k)).join(', ') + ', unknown,,[';
      assert.ok(junk(0).length > 2048);
      for (const [proxy, client] of [
        [alb, '198.51.100.30'],
        [ipport, '198.51.100.31'],
      ] as const) {
        assert.deepEqual(
          await run(8, (i) => via(proxy, client, { 'x-forwarded-for': junk(i) })),
          FIVE_THEN_LIMITED,
          client,
        );
        assert.equal(
          await via(proxy, '198.51.100.32', { 'x-forwarded-for': junk(9) }),
          200,
          'another client behind the same proxy: the proxy is never the key',
        );
      }
    });

    it('IPv6: the addresses of one /64 share one budget', async () => {
      const statuses = await run(8, (i) => via(alb, `2001:db8:aa::${(i + 1).toString(16)}`));
      assert.deepEqual(statuses, FIVE_THEN_LIMITED);
    });

    it('IPv6: every spelling of one address is one client', async () => {
      const spellings = [
        '2001:db8:bb::1',
        '2001:0db8:00bb:0000:0000:0000:0000:0001',
        '2001:DB8:BB::1',
        '2001:db8:bb:0:0:0:0:1',
        '2001:db8:bb::0001',
        '2001:0DB8:BB:0::1',
        '2001:db8:bb:0::0:1',
        '2001:db8:00bb::1',
      ];
      const statuses = await run(8, (i) => via(ipport, spellings[i] ?? ''));
      assert.deepEqual(statuses, FIVE_THEN_LIMITED);
    });

    it('IPv6: two /64s have separate budgets', async () => {
      for (const prefix of ['2001:db8:cc:1::', '2001:db8:cc:2::']) {
        const statuses = await run(6, (i) => via(alb, `${prefix}${i + 1}`));
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429], prefix);
      }
    });
  });

  describe(`The overload permit list on ${platform}`, () => {
    let app: RunningApp;
    let alb: ReverseProxy;
    before(async () => {
      app = await startModule(
        addressModule({
          overload: { permit: ['127.0.0.1'], perIp: { limit: 1, window: 60_000 } },
        }),
        platform,
      );
      alb = await startReverseProxy(app.url, 'alb');
    });
    afterAll(async () => {
      await alb.close();
      await app.close();
    });

    it('a direct loopback request is permitted', async () => {
      const statuses = await run(5, async () => (await request(`${app.url}/ca/open`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    });

    it("a local proxy's client is not loopback: it is limited", async () => {
      const statuses = await run(
        2,
        async () =>
          (
            await request(`${alb.url}/ca/open`, {
              headers: { [CLIENT_ADDRESS]: '203.0.113.9' },
            })
          ).status,
      );
      assert.deepEqual(statuses, [200, 429]);
    });

    it('an untrusted LAN peer claiming loopback in X-Real-IP or X-Forwarded-For is limited', async () => {
      const claims: Array<Record<string, string>> = [
        { 'x-real-ip': '::ffff:127.0.0.1' },
        { 'x-forwarded-for': '127.0.0.1' },
      ];
      const statuses = await run(
        2,
        async (i) =>
          (
            await injectFrom(app.app, {
              remoteAddress: '10.0.0.7',
              url: '/ca/open',
              headers: claims[i] ?? {},
            })
          ).status,
      );
      assert.deepEqual(statuses, [200, 429]);
    });
  });
}
