import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type LoggerService,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after as afterAll, before, describe, it } from 'node:test';
import { Debounce, FirstBlood } from 'nest-protection';
import { post, request, sleep, type Reply } from './helpers/http';
import {
  PLATFORMS,
  protectedModule,
  startDemo,
  startModule,
  type RunningApp,
} from './helpers/platforms';

/*
 * Who "the client" is, tried as an attacker would: rotated sessions, cookies and User-Agents,
 * other spellings of one route, credentials around a reused response, and CAPTCHA guessing.
 * Each platform's run connects from loopback addresses of its own (127.0.x.y), so every client
 * address below is a distinct client for the server, with no forwarding header involved.
 */

/** The test's auth: `Bearer alice` is alice; anything else is refused. */
@Injectable()
class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: object }>();
    if (req.headers.authorization !== 'Bearer alice') throw new ForbiddenException();
    req.user = { id: 'alice' };
    return true;
  }
}

let seq = 0;

@Controller('acct')
class AccountController {
  // Written above @Debounce: the debounce guard runs first.
  @Get('debounce-first')
  @UseGuards(BearerGuard)
  @Debounce({ reuse: true, waiting: 2000 })
  async debounceFirst(): Promise<{ account: string; seq: number }> {
    await sleep(300);
    return { account: 'alice-private-data', seq: ++seq };
  }

  // Written below @Debounce: the auth guard runs first.
  @Get('auth-first')
  @Debounce({ reuse: true, waiting: 2000 })
  @UseGuards(BearerGuard)
  async authFirst(): Promise<{ account: string; seq: number }> {
    await sleep(300);
    return { account: 'alice-private-data', seq: ++seq };
  }

  @Get('captcha')
  @FirstBlood()
  captcha(): string {
    return 'passed';
  }
}

/** A request whose target is in absolute form (`GET http://host/path`), over a raw socket. */
function absoluteForm(base: string, path: string, from: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: from }, () => {
      socket.write(
        `GET http://${hostname}:${port}${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`,
      );
    });
    let head = '';
    socket.on('data', (chunk: Buffer) => (head += chunk.toString('latin1')));
    socket.on('end', () => resolve(Number(head.split(' ')[1])));
    socket.on('error', reject);
  });
}

const statuses = (replies: Reply[]): string => replies.map((r) => r.status).join(' ');

PLATFORMS.forEach((platform, index) => {
  /** A loopback address of this platform's own: `client(3)` is 127.<index+40>.0.3. */
  const client = (n: number): string => `127.${40 + index}.0.${n}`;

  describe(`Client identity on ${platform}`, () => {
    let demo: RunningApp;
    let app: RunningApp;
    const logged: string[] = [];
    const logger: LoggerService = {
      log: (m: unknown, context?: string) => {
        if (context === 'ProtectionLogging') logged.push(String(m));
      },
      warn: () => undefined,
      error: () => undefined,
    };

    before(async () => {
      app = await startModule(
        protectedModule(
          {
            firstBlood: {
              guessesPerHour: 5,
              imagesPerHour: 8,
              render: (code) => ({ contentType: 'text/plain; charset=utf-8', body: code }),
            },
          },
          [AccountController],
          [BearerGuard],
        ),
        platform,
      );
      // Last: Nest's logger is process-wide, and the module app above is created without one.
      demo = await startDemo({ platform, captchaPlaintext: true, logger });
    });
    afterAll(async () => {
      await Promise.all([demo?.close(), app?.close()]);
    });

    it('CAPTCHA free pass: a new session header, session cookie or User-Agent per call is no new client', async () => {
      const replies: Reply[] = [];
      for (let i = 0; i < 8; i++) {
        const rotated: Record<string, string> = [
          { session: `s-${i}` },
          { cookie: `session=c-${i}` },
          { 'user-agent': `agent-${i}` },
        ][i % 3]!;
        replies.push(
          await request(`${demo.url}/test/captcha-30.json`, { headers: rotated, from: client(1) }),
        );
      }
      // Before: 8 x 200, the CAPTCHA never appeared.
      assert.equal(statuses(replies), '200 406 406 406 406 406 406 406');
    });

    it('@Debounce: a session the app did not sign is ignored, so a new one per call is no new identity', async () => {
      const p = `rot-${platform}`;
      const replies: Reply[] = [];
      for (let i = 0; i < 4; i++)
        replies.push(
          await post(`${demo.url}/test/debounce-nore.json?p=${p}`, {
            headers: { session: `made-up-${i}` },
            from: client(2),
          }),
        );
      // Before: 200 200 200 200.
      assert.equal(statuses(replies), '200 208 208 208');
    });

    it('CAPTCHA free pass: other spellings of the route are the same route', async () => {
      const from = client(3);
      const first = await request(`${demo.url}/test/captcha-30.json`, { from });
      assert.equal(first.status, 200);
      const spelled: Array<[string, number]> = [];
      for (const path of [
        '/test/%63aptcha-30.json',
        '/test/captcha-30%2Ejson',
        '/test/Captcha-30.json',
        '/test/captcha-30.json/',
      ]) {
        spelled.push([path, (await request(`${demo.url}${path}`, { from })).status]);
      }
      spelled.push(['absolute form', await absoluteForm(demo.url, '/test/captcha-30.json', from)]);
      // Each spelling either is not this route on the platform (404) or is, and then gets no
      // second free pass (406). Before: every spelling the router accepted answered 200.
      const expected: Record<string, Array<[string, number]>> = {
        fastify: [
          ['/test/%63aptcha-30.json', 406],
          ['/test/captcha-30%2Ejson', 406],
          ['/test/Captcha-30.json', 404],
          ['/test/captcha-30.json/', 404],
          ['absolute form', 406],
        ],
        express: [
          ['/test/%63aptcha-30.json', 404],
          ['/test/captcha-30%2Ejson', 404],
          ['/test/Captcha-30.json', 406],
          ['/test/captcha-30.json/', 406],
          ['absolute form', 406],
        ],
      };
      assert.deepEqual(spelled, expected[platform]);
    });

    it('logging.when gets the route as the router sees it: an encoded spelling is logged too', async () => {
      const r = await post(`${demo.url}/test/%72eqres-log.json`, {
        json: { hello: 'encoded' },
        headers: { 'x-request-id': `enc-${platform}` },
      });
      assert.ok([200, 404].includes(r.status), `${r.status}`);
      await sleep(50);
      assert.ok(
        logged.some((l) => l.startsWith('--> POST /test/%72eqres-log.json [enc-')),
        logged.join('\n') || '(no lines)',
      );
    });

    for (const route of ['debounce-first', 'auth-first']) {
      it(`@Debounce reuse never crosses credentials (${route})`, async () => {
        const url = `${app.url}/acct/${route}`;
        const from = client(route === 'debounce-first' ? 4 : 5);
        const alice = { authorization: 'Bearer alice' };
        // alice leads; a caller without credentials from the same address and User-Agent follows.
        const [a, anon] = await Promise.all([
          request(url, { headers: alice, from }),
          sleep(50).then(() => request(url, { from })),
        ]);
        assert.equal(a.status, 200);
        assert.equal(anon.status, 403, `anonymous got ${anon.status} ${anon.text}`);
        assert.ok(!anon.text.includes('alice-private-data'));
        await sleep(2100); // the window ends
        // An anonymous leader's 403 is never replayed to alice.
        const [anon2, a2] = await Promise.all([
          request(url, { from }),
          sleep(50).then(() => request(url, { headers: alice, from })),
        ]);
        assert.equal(anon2.status, 403);
        assert.equal(a2.status, 200, `alice got ${a2.status} ${a2.text}`);
        assert.equal(a2.json<{ account: string }>().account, 'alice-private-data');
      });
    }

    it('CAPTCHA guesses are limited per route and client address, whatever the tickets', async () => {
      const url = `${app.url}/acct/captcha`;
      const from = client(6);
      const wrong: number[] = [];
      for (let i = 0; i < 6; i++) {
        // A fresh ticket each time, as a guessing script would take.
        const ticket = (await request(url, { from })).headers.get('client-ticket') ?? '';
        const t = { 'client-ticket': ticket };
        await request(`${url}?quest-captcha-image=`, { headers: t, from });
        wrong.push((await request(`${url}?check-captcha-image=0000`, { headers: t, from })).status);
      }
      // 5 guesses an hour for the test (600 by default): the 6th is refused unseen.
      assert.deepEqual(wrong, [406, 406, 406, 406, 406, 429]);
      const ticket = (await request(url, { from })).headers.get('client-ticket') ?? '';
      const image = await request(`${url}?quest-captcha-image=`, {
        headers: { 'client-ticket': ticket },
        from,
      });
      const refused = await request(`${url}?check-captcha-image=${image.text}`, {
        headers: { 'client-ticket': ticket },
        from,
      });
      assert.equal(refused.status, 429, 'over the budget even the right code is not evaluated');
      assert.equal(refused.json<{ code: string }>().code, 'TOO_MANY_REQUESTS');
      assert.ok(Number(refused.headers.get('retry-after')) > 60, 'the hour window');
      const preCheck = await request(`${url}?quest-captcha-image=${image.text}`, {
        headers: { 'client-ticket': ticket },
        from,
      });
      assert.equal(preCheck.status, 429, 'an image request carrying a code is a guess too');

      // Another address has its own budget and passes with the right code.
      const other = client(7);
      const t2 = (await request(url, { from: other })).headers.get('client-ticket') ?? '';
      const code = (
        await request(`${url}?quest-captcha-image=`, {
          headers: { 'client-ticket': t2 },
          from: other,
        })
      ).text;
      const pass = await request(`${url}?check-captcha-image=${code}`, {
        headers: { 'client-ticket': t2 },
        from: other,
      });
      assert.deepEqual([pass.status, pass.text], [200, 'passed']);
    });

    it('CAPTCHA images are limited per route and client address, whatever the tickets', async () => {
      const url = `${app.url}/acct/captcha`;
      const from = client(8);
      const images: number[] = [];
      for (let i = 0; i < 9; i++) {
        const ticket = (await request(url, { from })).headers.get('client-ticket') ?? '';
        images.push(
          (
            await request(`${url}?quest-captcha-image=`, {
              headers: { 'client-ticket': ticket },
              from,
            })
          ).status,
        );
      }
      assert.deepEqual(images, [200, 200, 200, 200, 200, 200, 200, 200, 429]);
    });
  });
});
