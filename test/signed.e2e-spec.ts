import { Controller, Get } from '@nestjs/common';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after as afterAll, before, describe, it } from 'node:test';
import { httpbis } from 'http-message-signatures';
import { Signed, signRequest } from 'nest-protection';
import {
  DEMO_SIGNING_SECRET_DEFAULT,
  DEMO_SIGNING_KEYID,
} from '../apps/demo/src/fixtures/signed.controller';
import { request, type Reply, type RequestOptions } from './helpers/http';
import {
  PLATFORMS,
  protectedModule,
  startDemo,
  startModule,
  startRedisPair,
  type RedisPair,
  type RunningApp,
} from './helpers/platforms';

/*
 * @Signed on both platforms, memory and Redis: valid, tampered, expired, future-dated,
 * replayed, unknown and rotated keys, digests, missing and garbage headers, a signature made by
 * another RFC 9421 implementation, internal callers, and page keys as the browser script uses them.
 */

const SECRET = DEMO_SIGNING_SECRET_DEFAULT;
const now = (): number => Math.floor(Date.now() / 1000);

interface Call {
  method?: string;
  path: string;
  body?: string;
  keyid?: string;
  secret?: string;
  created?: number;
  nonce?: string;
  components?: string[];
}

/** Signed headers for a call, as a Node client of the API makes them. */
function signed(base: string, call: Call): RequestOptions {
  const method = call.method ?? 'GET';
  const headers = signRequest({
    method,
    url: base + call.path,
    ...(call.body !== undefined ? { body: call.body } : {}),
    keyid: call.keyid ?? DEMO_SIGNING_KEYID,
    secret: call.secret ?? SECRET,
    ...(call.created !== undefined ? { created: call.created } : {}),
    ...(call.nonce !== undefined ? { nonce: call.nonce } : {}),
    ...(call.components ? { components: call.components } : {}),
  });
  return {
    method,
    headers: {
      ...headers,
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(call.body !== undefined ? { body: call.body } : {}),
  };
}

function refused(reply: Reply, code: string): void {
  assert.equal(reply.status, 401, `${code}: ${reply.text}`);
  assert.equal(reply.json().code, code, reply.text);
}

/** The parameter list of a Signature-Input value, with `edit` applied. */
function editInput(
  options: RequestOptions,
  edit: (input: string) => string,
  header = 'signature-input',
): RequestOptions {
  const headers = { ...options.headers };
  headers[header] = edit(headers[header]!);
  return { ...options, headers };
}

function signedSuite(platform: 'fastify' | 'express'): void {
  describe(`@Signed service mode (${platform}, memory)`, () => {
    let app: RunningApp;
    let base: string;
    before(async () => {
      app = await startDemo({ platform });
      base = app.url;
    });
    afterAll(() => app.close());

    it('a signed GET passes, with and without a query', async () => {
      const plain = await request(
        base + '/test/signed.json',
        signed(base, { path: '/test/signed.json' }),
      );
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(plain.json(), { ok: true, keyid: 'demo' });
      const q = '/test/signed.json?b=2&a=%20x';
      const query = await request(base + q, signed(base, { path: q }));
      assert.equal(query.status, 200, query.text);
    });

    it('a signed POST passes and its body reaches the handler unchanged', async () => {
      const body = JSON.stringify({ order: 42, note: 'ünïcode', list: [1, 2, 3] });
      const reply = await request(
        base + '/test/signed.json',
        signed(base, { method: 'POST', path: '/test/signed.json', body }),
      );
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json(), JSON.parse(body));
    });

    it('each tampered component is refused', async () => {
      const path = '/test/signed.json?a=1';
      // Signed for another method, path or query than the one sent.
      refused(
        await request(base + path, { ...signed(base, { method: 'DELETE', path }), method: 'GET' }),
        'SIGNATURE_INVALID',
      );
      refused(
        await request(base + path, signed(base, { path: '/test/signed-internal.json?a=1' })),
        'SIGNATURE_INVALID',
      );
      refused(
        await request(base + '/test/signed.json?a=2', signed(base, { path })),
        'SIGNATURE_INVALID',
      );
      // Parameters edited after signing.
      const params: Array<[RegExp, string]> = [
        [/created=\d+/, `created=${now() - 1}`],
        [/nonce="[^"]*"/, 'nonce="another-nonce-0001"'],
        [/"@path" /, ''],
      ];
      for (const [pattern, replacement] of params) {
        const options = editInput(signed(base, { path }), (v) => v.replace(pattern, replacement));
        refused(await request(base + path, options), 'SIGNATURE_INVALID');
      }
      // The signature bytes themselves.
      const flipped = editInput(
        signed(base, { path }),
        (v) => v.replace(/:([A-Za-z0-9+/])/, (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`),
        'signature',
      );
      refused(await request(base + path, flipped), 'SIGNATURE_INVALID');
    });

    it('a body that does not match its digest, or a digest swapped with the body, is refused', async () => {
      const body = JSON.stringify({ amount: 10 });
      const options = signed(base, { method: 'POST', path: '/test/signed.json', body });
      refused(
        await request(base + '/test/signed.json', {
          ...options,
          body: JSON.stringify({ amount: 99 }),
        }),
        'DIGEST_MISMATCH',
      );
      // The attacker also rewrites Content-Digest: the signature covers the digest.
      const other = JSON.stringify({ amount: 99 });
      const swapped = signed(base, { method: 'POST', path: '/test/signed.json', body: other });
      const reply = await request(base + '/test/signed.json', {
        ...options,
        headers: { ...options.headers, 'content-digest': swapped.headers!['content-digest']! },
        body: other,
      });
      refused(reply, 'SIGNATURE_INVALID');
    });

    it('a body the signature does not cover, or a query it leaves out, is refused', async () => {
      const body = JSON.stringify({ a: 1 });
      const options = signed(base, { method: 'POST', path: '/test/signed.json', body });
      const uncovered = editInput(options, (v) => v.replace(' "content-digest"', ''));
      refused(await request(base + '/test/signed.json', uncovered), 'SIGNATURE_INVALID');
      const q = '/test/signed.json?x=1';
      const noQuery = editInput(signed(base, { path: q }), (v) => v.replace(' "@query"', ''));
      refused(await request(base + q, noQuery), 'SIGNATURE_INVALID');
    });

    it('expired and future-dated signatures are refused', async () => {
      const path = '/test/signed.json';
      refused(
        await request(base + path, signed(base, { path, created: now() - 301 })),
        'SIGNATURE_EXPIRED',
      );
      refused(
        await request(base + path, signed(base, { path, created: now() + 60 })),
        'SIGNATURE_EXPIRED',
      );
      const edge = await request(base + path, signed(base, { path, created: now() - 290 }));
      assert.equal(edge.status, 200, edge.text);
    });

    it('a replayed request is refused, a fresh nonce passes', async () => {
      const path = '/test/signed.json';
      const options = signed(base, { path });
      assert.equal((await request(base + path, options)).status, 200);
      refused(await request(base + path, options), 'SIGNATURE_REPLAYED');
      assert.equal((await request(base + path, signed(base, { path }))).status, 200);
    });

    it('unknown key ids and wrong secrets are refused', async () => {
      const path = '/test/signed.json';
      refused(
        await request(base + path, signed(base, { path, keyid: 'nobody' })),
        'SIGNATURE_INVALID',
      );
      refused(
        await request(base + path, signed(base, { path, secret: 'x'.repeat(40) })),
        'SIGNATURE_INVALID',
      );
    });

    it('missing and garbage headers are 401 JSON, never 500', async () => {
      const path = '/test/signed.json';
      refused(await request(base + path), 'SIGNATURE_MISSING');
      const garbage: Array<Record<string, string>> = [
        { 'signature-input': 'sig=', signature: 'sig=:' },
        { 'signature-input': 'sig=("@method"', signature: 'sig=:AAAA:' },
        { 'signature-input': 'sig=("@method");created=abc;keyid="demo"', signature: 'sig=:!!:' },
        { 'signature-input': '(((((', signature: ')))' },
        { 'signature-input': 'sig=("@method");keyid="demo"', signature: 'other=:AAAA:' },
        { 'signature-input': 'a'.repeat(9_000), signature: 'sig=:AAAA:' },
        { signature: 'sig=:AAAA:' },
        { 'signature-input': 'sig=("@method" "@path");created=1;keyid="demo";nonce="n"' },
      ];
      for (let i = 0; i < 40; i++) {
        garbage.push({
          'signature-input': randomBytes(1 + (i % 30))
            .toString('latin1')
            .replace(/[\r\n\0]/g, ' '),
          signature: randomBytes(1 + (i % 20)).toString('base64'),
        });
      }
      for (const headers of garbage) {
        let reply: Reply;
        try {
          reply = await request(base + path, { headers });
        } catch {
          continue; // a header value Node's own client refuses to send
        }
        assert.equal(reply.status, 401, `${JSON.stringify(headers).slice(0, 200)}: ${reply.text}`);
        assert.match(String(reply.json().code), /^SIGNATURE_(MISSING|INVALID)$/);
      }
    });

    it('a signature made by another RFC 9421 implementation verifies', async () => {
      for (const [method, path, body] of [
        ['GET', '/test/signed.json?q=1', undefined],
        ['POST', '/test/signed.json', JSON.stringify({ from: 'http-message-signatures' })],
      ] as const) {
        const headers: Record<string, string> = { host: new URL(base).host };
        if (body !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-digest'] =
            `sha-256=:${(await import('node:crypto')).createHash('sha256').update(body).digest('base64')}:`;
        }
        const fields = ['@method', '@path', ...(path.includes('?') ? ['@query'] : [])];
        if (body !== undefined) fields.push('content-digest');
        const message = await httpbis.signMessage(
          {
            key: {
              id: DEMO_SIGNING_KEYID,
              alg: 'hmac-sha256',
              sign: async (data: Buffer) =>
                (await import('node:crypto')).createHmac('sha256', SECRET).update(data).digest(),
            },
            fields,
            params: ['created', 'keyid', 'nonce', 'alg'],
            paramValues: { nonce: randomBytes(16).toString('base64url') },
          },
          { method, url: base + path, headers },
        );
        const sent = message.headers as Record<string, string>;
        const reply = await request(base + path, {
          method,
          headers: {
            'signature-input': sent['Signature-Input'] ?? sent['signature-input']!,
            signature: sent['Signature'] ?? sent['signature']!,
            ...(body !== undefined
              ? { 'content-type': 'application/json', 'content-digest': headers['content-digest']! }
              : {}),
          },
          ...(body !== undefined ? { body } : {}),
        });
        assert.equal(reply.status, 200, `${method} ${path}: ${reply.text}`);
      }
    });

    it('internal callers: unsigned calls from an allowed address pass, others need a signature', async () => {
      const internal = await request(base + '/test/signed-internal.json');
      assert.equal(internal.status, 200, internal.text);
      refused(await request(base + '/test/signed.json'), 'SIGNATURE_MISSING');
    });
  });

  describe(`@Signed keys, allow lists and page keys (${platform})`, () => {
    @Controller('x')
    class AllowController {
      @Get('lan')
      @Signed({ allow: ['127.0.0.2'] })
      lan(): string {
        return 'ok';
      }

      @Get('browser-or-billing')
      @Signed({ browser: true, allow: [{ keyid: 'billing' }] })
      both(): string {
        return 'ok';
      }
    }
    let app: RunningApp;
    const OLD = 'old-secret-'.padEnd(40, 'o');
    const NEW = 'new-secret-'.padEnd(40, 'n');
    const BILLING = 'billing-secret-'.padEnd(40, 'b');
    before(async () => {
      app = await startModule(
        protectedModule(
          { signed: { keys: { demo: [NEW, OLD], billing: BILLING, other: BILLING + 'x' } } },
          [AllowController],
        ),
        platform,
      );
    });
    afterAll(() => app.close());

    it('every secret of a rotated key id verifies', async () => {
      for (const secret of [NEW, OLD]) {
        const reply = await request(app.url + '/x/lan', {
          ...signed(app.url, { path: '/x/lan', secret }),
          from: '127.0.0.3',
        });
        assert.equal(reply.status, 200, reply.text);
      }
    });

    it('the allow list admits unsigned calls from its addresses only', async () => {
      assert.equal((await request(app.url + '/x/lan', { from: '127.0.0.2' })).status, 200);
      refused(await request(app.url + '/x/lan', { from: '127.0.0.3' }), 'SIGNATURE_MISSING');
    });

    it('a browser route admits the allowed service key and no other', async () => {
      const path = '/x/browser-or-billing';
      const billing = await request(
        app.url + path,
        signed(app.url, { path, keyid: 'billing', secret: BILLING }),
      );
      assert.equal(billing.status, 200, billing.text);
      refused(
        await request(
          app.url + path,
          signed(app.url, { path, keyid: 'other', secret: BILLING + 'x' }),
        ),
        'SIGNATURE_INVALID',
      );
    });
  });

  describe(`@SignPage and browser routes without a browser (${platform})`, () => {
    let app: RunningApp;
    let base: string;
    before(async () => {
      app = await startDemo({ platform });
      base = app.url;
    });
    afterAll(() => app.close());

    /** The page's cookies: the signing key and the session it is bound to. */
    async function loadPage(): Promise<{
      keyid: string;
      key: string;
      cookie: string;
      page: Reply;
    }> {
      const page = await request(base + '/test/signed-page.html');
      assert.equal(page.status, 200);
      const cookies = page.headers.getSetCookie();
      const sign = cookies.find((c) => c.startsWith('np_sign='));
      const session = cookies.find((c) => c.startsWith('session='));
      assert.ok(sign && session, cookies.join(' | '));
      const [keyid, key] = sign.slice('np_sign='.length).split(';')[0]!.split('~') as [
        string,
        string,
      ];
      return { keyid, key, cookie: session.split(';')[0]!, page };
    }

    it('the page is never cached and carries a key cookie and the versioned script', async () => {
      const { page, keyid } = await loadPage();
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.match(keyid, /^page\./);
      const src = /<script src="([^"]+)"/.exec(page.text)?.[1];
      assert.ok(src?.startsWith('/protection/sign.js?v='), page.text);
      const script = await request(base + src);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.match(script.headers.get('cache-control') ?? '', /immutable/);
      assert.match(script.text, /Signature-Input|signature-input/);
    });

    it('a call signed with the page key and its session passes once', async () => {
      const { keyid, key, cookie } = await loadPage();
      const path = '/test/signed-browser.json';
      const options = signed(base, { path, keyid, secret: key });
      options.headers = { ...options.headers, cookie };
      const first = await request(base + path, options);
      assert.equal(first.status, 200, first.text);
      refused(await request(base + path, options), 'SIGNATURE_REPLAYED');
    });

    it('a page key is refused in another session, on a service route, and a service key on the browser route', async () => {
      const { keyid, key } = await loadPage();
      const other = await loadPage();
      const path = '/test/signed-browser.json';
      const foreign = signed(base, { path, keyid, secret: key });
      foreign.headers = { ...foreign.headers, cookie: other.cookie };
      refused(await request(base + path, foreign), 'SIGNATURE_INVALID');
      const service = signed(base, { path: '/test/signed.json', keyid, secret: key });
      refused(await request(base + '/test/signed.json', service), 'SIGNATURE_INVALID');
      refused(await request(base + path, signed(base, { path })), 'SIGNATURE_INVALID');
    });
  });
}

for (const platform of PLATFORMS) signedSuite(platform);

describe('@Signed on Redis: two instances share the nonces', () => {
  let pair: RedisPair;
  before(async () => {
    pair = await startRedisPair();
  });
  afterAll(() => pair.close());

  it('a request accepted by one instance is a replay on the other', async () => {
    for (const [first, second] of [
      [pair.a, pair.b],
      [pair.b, pair.a],
    ] as const) {
      const path = '/test/signed.json';
      const body = JSON.stringify({ n: 1 });
      const options = signed(first.url, { method: 'POST', path, body });
      const accepted = await request(first.url + path, options);
      assert.equal(accepted.status, 200, accepted.text);
      refused(await request(second.url + path, options), 'SIGNATURE_REPLAYED');
    }
  });

  it('tampered, expired and digest-mismatched requests are refused on both instances', async () => {
    for (const app of [pair.a, pair.b]) {
      const path = '/test/signed.json';
      refused(
        await request(app.url + path, signed(app.url, { path, created: now() - 400 })),
        'SIGNATURE_EXPIRED',
      );
      const body = JSON.stringify({ n: 2 });
      const options = signed(app.url, { method: 'POST', path, body });
      refused(await request(app.url + path, { ...options, body: '{"n":3}' }), 'DIGEST_MISMATCH');
      assert.equal((await request(app.url + path, signed(app.url, { path }))).status, 200);
    }
  });
});
