import { Controller, Get, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { ProtectionModule, SlowLog } from 'nest-protection';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startingAfter, eventually, request, sleep } from './helpers/http';
import { PLATFORMS, startDemo, startRedisPair } from './helpers/platforms';
import { freePort } from './helpers/redis-server';

/* The global in-flight cap, per-IP limits, stats and graceful shutdown. */

for (const platform of PLATFORMS) {
  describe(`Overload on ${platform}`, () => {
    it('runs exactly maxConcurrent requests; the next get 503 OVERLOADED at once', async () => {
      const app = await startDemo({ platform, protection: { overload: { maxConcurrent: 3 } } });
      try {
        const replies = await Promise.all(
          Array.from({ length: 5 }, () => request(`${app.url}/test/load/works.html?ms=600`)),
        );
        const ok = replies.filter((r) => r.status === 200);
        const refused = replies.filter((r) => r.status === 503);
        assert.equal(ok.length, 3);
        assert.equal(refused.length, 2);
        for (const r of refused) {
          assert.deepEqual(r.json(), {
            statusCode: 503,
            code: 'OVERLOADED',
            message: 'Server overloaded; retry shortly',
          });
          assert.equal(r.headers.get('retry-after'), '1');
          assert.match(
            r.headers.get('x-request-id') ?? '',
            /^[A-Za-z0-9_-]{16}$/,
            'refusals echo a request id too',
          );
          assert.ok(r.ms < 300, `refused in ${r.ms.toFixed(0)} ms`);
        }
        const stats = (await request(`${app.url}/test/overload/stats.json`)).json<{
          inFlight: number;
          served: number;
          rejected: number;
          p50: number;
          p99: number;
        }>();
        assert.equal(stats.inFlight, 1, 'the stats request itself');
        assert.equal(stats.rejected, 2);
        assert.ok(stats.served >= 3);
        assert.ok(stats.p99 >= 550, `p99 ${stats.p99}`);
      } finally {
        await app.close();
      }
    });

    it('limits each client IP per sliding window: 429 with Retry-After; a steady client is never refused', async () => {
      const app = await startDemo({
        platform,
        protection: { overload: { perIp: { limit: 5, window: 1000 }, permit: [] } },
      });
      try {
        const burst = await Promise.all(
          Array.from({ length: 8 }, () => request(`${app.url}/test/load/speed.html`)),
        );
        assert.equal(burst.filter((r) => r.status === 200).length, 5);
        for (const r of burst.filter((x) => x.status !== 200)) {
          assert.equal(r.status, 429);
          assert.equal(r.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
          assert.equal(r.headers.get('retry-after'), '1');
        }
        await sleep(1050);
        for (let i = 0; i < 8; i++) {
          assert.equal(
            (await request(`${app.url}/test/load/speed.html`)).status,
            200,
            `steady request ${i}`,
          );
          await sleep(250); // 4 per second < 5
        }
      } finally {
        await app.close();
      }
    });

    it('keeps the global cap when the per-IP checks are off, and exempts permitted IPs', async () => {
      const off = await startDemo({
        platform,
        protection: { overload: { maxConcurrent: 2, perIp: false } },
      });
      const permitted = await startDemo({
        platform,
        protection: { overload: { perIp: { limit: 1, window: 60_000 } } },
      });
      try {
        const replies = await Promise.all(
          Array.from({ length: 4 }, () => request(`${off.url}/test/load/works.html?ms=300`)),
        );
        assert.deepEqual(replies.map((r) => r.status).sort(), [200, 200, 503, 503]);
        const local = await Promise.all(
          Array.from({ length: 5 }, () => request(`${permitted.url}/test/load/speed.html`)),
        );
        assert.ok(
          local.every((r) => r.status === 200),
          'loopback is permitted by default',
        );
        // The permit verdict of a direct request is kept per connection; a forwarded client on a
        // connection already judged (keep-alive from a trusted proxy) is still judged by its own IP.
        const forwarded = { headers: { 'x-forwarded-for': '203.0.113.9' } };
        const first = await request(`${permitted.url}/test/load/speed.html`, forwarded);
        const second = await request(`${permitted.url}/test/load/speed.html`, forwarded);
        assert.deepEqual([first.status, second.status], [200, 429]);
        assert.equal(
          (await request(`${permitted.url}/test/load/speed.html`)).status,
          200,
          'the proxy itself stays permitted',
        );
      } finally {
        await Promise.all([off.close(), permitted.close()]);
      }
    });

    it('limits in-flight requests per IP when perIp.maxConcurrent is set', async () => {
      const app = await startDemo({
        platform,
        protection: { overload: { perIp: { limit: 100, maxConcurrent: 2 }, permit: [] } },
      });
      try {
        const replies = await Promise.all(
          Array.from({ length: 4 }, () => request(`${app.url}/test/load/works.html?ms=300`)),
        );
        assert.deepEqual(replies.map((r) => r.status).sort(), [200, 200, 429, 429]);
      } finally {
        await app.close();
      }
    });

    it('a client that goes away ends its request once; pipelined requests are each counted', async () => {
      const app = await startDemo({ platform, protection: { overload: { maxConcurrent: 3 } } });
      const stats = async () =>
        (await request(`${app.url}/test/overload/stats.json`)).json<{
          inFlight: number;
          served: number;
        }>();
      const { port } = new URL(app.url);
      try {
        // Two slow requests on one connection (pipelined), then the client hangs up mid-way.
        const socket = connect(Number(port), '127.0.0.1');
        await once(socket, 'connect');
        const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
        socket.write(get('/test/load/works.html?ms=600') + get('/test/load/works.html?ms=600'));
        await sleep(150);
        assert.equal((await stats()).inFlight, 3, 'both pipelined requests and the stats request');
        socket.destroy();
        assert.ok(
          await eventually(async () => (await stats()).inFlight === 1, 2000),
          'the hang-up ended both',
        );
        // The whole cap of 3 is free again, while the abandoned handlers still run.
        const replies = await Promise.all(
          [1, 2, 3].map(() => request(`${app.url}/test/load/works.html?ms=100`)),
        );
        assert.deepEqual(
          replies.map((r) => r.status),
          [200, 200, 200],
        );
        await sleep(800); // the abandoned handlers finish: nothing is ended twice
        assert.equal((await stats()).inFlight, 1);
        // Pipelined requests that complete are each counted once.
        const again = connect(Number(port), '127.0.0.1');
        await once(again, 'connect');
        let text = '';
        again.on('data', (d: Buffer) => (text += d.toString()));
        again.write(
          get('/test/load/speed.html') +
            get('/test/load/speed.html') +
            get('/test/load/speed.html'),
        );
        assert.ok(
          await eventually(async () => text.split('HTTP/1.1 200').length === 4, 2000),
          'three answers',
        );
        assert.equal((await stats()).inFlight, 1);
        again.destroy();
        await sleep(50);
        assert.equal((await stats()).inFlight, 1);
      } finally {
        await app.close();
      }
    });

    it('never caps with maxConcurrent: -1', async () => {
      const app = await startDemo({ platform, protection: { overload: { maxConcurrent: -1 } } });
      try {
        const replies = await Promise.all(
          Array.from({ length: 20 }, () => request(`${app.url}/test/load/works.html?ms=100`)),
        );
        assert.ok(replies.every((r) => r.status === 200));
      } finally {
        await app.close();
      }
    });

    it('drains on shutdown: in flight completes, new requests get 503 SHUTTING_DOWN with Connection: close, exit well before drainTimeout', async () => {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [join(__dirname, '..', 'apps', 'demo', 'src', 'main.js')],
        {
          env: { ...process.env, PORT: String(port), PROTECTION_PLATFORM: platform },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const url = `http://127.0.0.1:${port}`;
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on('data', (d: Buffer) => d.toString().includes('demo on') && resolve());
          child.once('exit', (code) => reject(new Error(`demo exited ${code}`)));
        });
        const inFlight = request(`${url}/test/load/works.html?ms=2000`);
        await sleep(200);
        const exited = new Promise<number>((resolve) =>
          child.once('exit', () => resolve(performance.now())),
        );
        const signalled = performance.now();
        child.kill('SIGTERM');
        const refused = await startingAfter(150, () => request(`${url}/test/load/speed.html`));
        assert.equal(refused.status, 503);
        assert.equal(refused.json<{ code: string }>().code, 'SHUTTING_DOWN');
        assert.equal(refused.headers.get('connection'), 'close');
        const done = await inFlight;
        assert.deepEqual(
          [done.status, done.text],
          [200, 'works'],
          'the request in flight completed',
        );
        const doneAt = performance.now();
        const exitAt = await exited;
        assert.ok(
          exitAt - doneAt < 1500,
          `exited ${(exitAt - doneAt).toFixed(0)} ms after the last request finished`,
        );
        assert.ok(
          exitAt - signalled < 5000,
          `exited ${(exitAt - signalled).toFixed(0)} ms after SIGTERM (drainTimeout 20000)`,
        );
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}

describe('Per-IP limit across two instances on one Redis', () => {
  it('holds one budget for a client IP over both instances', async () => {
    const pair = await startRedisPair({
      protection: { overload: { perIp: { limit: 4, window: 5000 }, permit: [] } },
    });
    try {
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          request(`${(i % 2 ? pair.a : pair.b).url}/test/load/speed.html`),
        ),
      );
      assert.equal(replies.filter((r) => r.status === 200).length, 4);
      assert.equal(replies.filter((r) => r.status === 429).length, 4);
    } finally {
      await pair.close();
    }
  });
});

describe('Slow-request log', () => {
  @Controller('slow')
  class SlowController {
    @Get('flagged')
    @SlowLog(100)
    async flagged(): Promise<string> {
      await sleep(200);
      return 'flagged';
    }

    @Get('default')
    async normal(): Promise<string> {
      await sleep(200);
      return 'default';
    }
  }
  @Module({ imports: [ProtectionModule.forRoot({})], controllers: [SlowController] })
  class SlowModule {}

  it('logs a WARN for a route slower than its @SlowLog(ms), not for one under the module slowMs', async () => {
    const warns: string[] = [];
    const logger: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (m: unknown) => void warns.push(String(m)),
    };
    const app = await NestFactory.create(SlowModule, new FastifyAdapter(), { logger });
    await app.listen(0, '127.0.0.1');
    try {
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      await request(`${url}/slow/flagged`);
      await request(`${url}/slow/default`);
      await sleep(50);
      const slow = warns.filter((w) => w.startsWith('Slow request'));
      assert.equal(slow.length, 1, slow.join(' | '));
      assert.match(slow[0] as string, /^Slow request: GET \/slow\/flagged 200 \d+ ms$/);
    } finally {
      await app.close();
    }
  });
});
