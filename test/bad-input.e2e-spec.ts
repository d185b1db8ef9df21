import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after as afterAll, before, describe, it } from 'node:test';
import { post, request, sleep } from './helpers/http';
import { PLATFORMS, startDemo, type RunningApp } from './helpers/platforms';

/*
 * Malformed bodies on the demo's logged routes get a clear 4xx JSON error and the process keeps
 * serving; slow bodies from one address cannot take every place of the global cap.
 */

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

for (const platform of PLATFORMS) {
  describe(`bad input on ${platform}`, () => {
    let demo: RunningApp;
    before(async () => {
      demo = await startDemo({ platform, logger: false });
    });
    afterAll(async () => {
      await demo?.close();
    });

    const upload = (body: string, type = 'multipart/form-data; boundary=xyz') =>
      post(`${demo.url}/test/reqres-log/upload.json`, { body, headers: { 'content-type': type } });

    it('a multipart body cut inside a file part is a 400, and the process keeps serving', async () => {
      // Request logging reads a copy of this body too: its parser must not crash the process.
      const cut = await upload(
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
      );
      assert.equal(cut.status, 400, cut.text);
      assert.equal(cut.json<{ code: string }>().code, 'BAD_MULTIPART');
      assert.equal((await request(`${demo.url}/test/load/speed.html`)).status, 200);
    });

    it('a multipart body without its boundary is a 400', async () => {
      const r = await upload('garbage', 'multipart/form-data');
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json<{ code: string }>().code, 'BAD_MULTIPART');
    });

    it('JSON nested 20,000 deep is a 400 (never a 500 from the serializer)', async () => {
      const r = await post(`${demo.url}/test/reqres-log.json`, {
        body: nested(20_000),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json<{ code: string }>().code, 'BAD_BODY');
    });

    it('JSON nested 100,000 deep is a 4xx JSON error: 400, or 413 where the body limit comes first', async () => {
      const r = await post(`${demo.url}/test/reqres-log.json`, {
        body: nested(100_000),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, platform === 'express' ? 413 : 400, r.text);
      assert.equal(r.json<{ statusCode: number }>().statusCode, r.status);
      assert.equal((await request(`${demo.url}/test/load/speed.html`)).status, 200);
    });
  });
}

/** A POST whose body never finishes arriving, from `from`: its status once answered, or null. */
function slowBody(base: string, from: string, sockets: Socket[]): Promise<number | null> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: from }, () => {
      socket.write(
        `POST /test/reqres-log.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`,
      );
    });
    sockets.push(socket);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      resolve(Number(head.split(' ')[1]));
    });
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(null));
  });
}

for (const platform of PLATFORMS) {
  describe(`one client's share of the global cap on ${platform}`, () => {
    it('slow-body requests from one address hold at most max(8, 10 %) of the cap: another client is served', async () => {
      // Cap 20: the share is 8. Before, 20 slow bodies from one address took every place.
      const demo = await startDemo({
        platform,
        logger: false,
        protection: { overload: { maxConcurrent: 20, drainTimeout: 100 } },
      });
      const sockets: Socket[] = [];
      try {
        const attacker = '127.0.3.1';
        const pending = Array.from({ length: 25 }, () => slowBody(demo.url, attacker, sockets));
        await sleep(300);
        const answered = await Promise.all(
          pending.map((p) => Promise.race([p, sleep(200).then(() => 'open' as const)])),
        );
        assert.equal(answered.filter((s) => s === 'open').length, 8, String(answered));
        assert.equal(answered.filter((s) => s === 429).length, 17, String(answered));
        const other = await request(`${demo.url}/test/load/speed.html`, { from: '127.0.3.2' });
        assert.equal(other.status, 200, 'another client still gets a place');
      } finally {
        for (const s of sockets) s.destroy();
        await demo.close();
      }
    });
  });
}

describe('a request whose body never finishes', () => {
  it('gets 408 on Fastify (which sets no deadline of its own) and stops holding a place', async () => {
    const demo = await startDemo({
      platform: 'fastify',
      logger: false,
      protection: { overload: { requestTimeout: 1000, drainTimeout: 100 } },
    });
    const sockets: Socket[] = [];
    try {
      const started = Date.now();
      const status = await Promise.race([
        slowBody(demo.url, '127.0.3.9', sockets),
        sleep(5000).then(() => 'still open'),
      ]);
      assert.equal(status, 408, String(status));
      assert.ok(Date.now() - started >= 900, 'not before the deadline');
      await sleep(100);
      const stats = (await request(`${demo.url}/test/overload/stats.json`)).json<{
        inFlight: number;
      }>();
      assert.equal(stats.inFlight, 1, 'only the stats request itself is in flight');
    } finally {
      for (const s of sockets) s.destroy();
      await demo.close();
    }
  });
});

for (const platform of PLATFORMS) {
  describe(`background work is bounded on ${platform}`, () => {
    it('@DoubleKill async jobs past doubleKill.maxBackground get 503, and show in the overload stats', async () => {
      const demo = await startDemo({
        platform,
        logger: false,
        protection: { doubleKill: { maxBackground: 2 } },
      });
      try {
        // Three clients start a 1 s background job each (their keys differ).
        const start = (n: number) =>
          request(`${demo.url}/test/double-kill-async.json?s=1`, {
            headers: { 'user-agent': `bg-${platform}-${n}` },
          });
        const [a, b] = [await start(1), await start(2)];
        assert.deepEqual([a.status, b.status], [202, 202]);
        const third = await start(3);
        assert.equal(third.status, 503, third.text);
        assert.equal(third.json<{ code: string }>().code, 'OVERLOADED');
        assert.equal(third.headers.get('retry-after'), '1');
        const stats = (await request(`${demo.url}/test/overload/stats.json`)).json<{
          background: number;
        }>();
        assert.equal(stats.background, 2);
        await sleep(1300);
        assert.equal((await start(4)).status, 202, 'a place again once the jobs ended');
      } finally {
        await demo.close();
      }
    });
  });
}
