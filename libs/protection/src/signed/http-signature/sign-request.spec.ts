import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';
import { checkContentDigest, contentDigest } from './content-digest';
import type { SignedRequestView } from './http-signature.types';
import { signRequest } from './sign-request';
import { signatureBase } from './signature-base';
import { checkCoverage, checkFreshness, hmacMatches, parseSignatures } from './signature-verify';

const SECRET = 'a-shared-secret-of-some-length-é';
const now = () => Math.floor(Date.now() / 1000);

/** What the server sees of a request sent to `url` with `headers` (any case) and `body`. */
function viewOf(
  method: string,
  url: string,
  headers: Record<string, string | string[]>,
  body?: string | Buffer,
): SignedRequestView {
  const u = new URL(url);
  const lower = new Map(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v].flat().join(', ')]),
  );
  return {
    method,
    path: u.pathname,
    query: u.search.slice(1),
    authority: u.host,
    scheme: u.protocol === 'https:' ? 'https' : 'http',
    header: (name) => lower.get(name),
    body: body === undefined ? undefined : Buffer.from(body),
  };
}

/** The whole check a guard makes: every step, first failure wins. */
function verify(view: SignedRequestView, secret = SECRET): string {
  const sigs = parseSignatures(view.header('signature-input'), view.header('signature'));
  if (typeof sigs === 'string') return sigs;
  const sig = sigs[0];
  if (!sig) return 'none';
  const failure =
    checkCoverage(sig, view) ??
    checkFreshness(sig, now(), 300, 5) ??
    (sig.alg === 'hmac-sha256' ? null : 'SIGNATURE_INVALID');
  if (failure) return failure;
  const base = signatureBase(sig, view);
  if (base === 'SIGNATURE_INVALID') return base;
  if (!hmacMatches(base, secret, sig.signature)) return 'SIGNATURE_INVALID';
  if (view.body?.length)
    return checkContentDigest(view.header('content-digest'), view.body) ?? 'OK';
  return 'OK';
}

const CASES = [
  { name: 'GET without query', method: 'GET', url: 'https://example.com/api/items' },
  { name: 'GET with query', method: 'GET', url: 'https://example.com/api/items?page=2&q=a%20b' },
  {
    name: 'POST with body',
    method: 'POST',
    url: 'http://localhost:3000/api/orders?dry=1',
    body: '{"item":"ü","qty":2}',
  },
];

describe('cross-implementation: http-message-signatures (httpbis)', () => {
  for (const c of CASES) {
    it(`verifies what it signs: ${c.name}`, async () => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const fields = ['@method', '@path'];
      if (c.url.includes('?')) fields.push('@query');
      if (c.body) {
        headers['content-digest'] = contentDigest(c.body);
        fields.push('content-digest');
      }
      const signed = await httpbis.signMessage(
        {
          key: createSigner(Buffer.from(SECRET, 'utf8'), 'hmac-sha256', 'key-1'),
          fields,
          params: ['created', 'keyid', 'nonce', 'alg'],
          paramValues: { nonce: 'their-nonce' },
        },
        { method: c.method, url: c.url, headers },
      );
      const view = viewOf(c.method, c.url, signed.headers, c.body);
      assert.equal(verify(view), 'OK');
      const sigs = parseSignatures(view.header('signature-input'), view.header('signature'));
      assert.ok(Array.isArray(sigs));
      assert.deepEqual([sigs[0]?.keyid, sigs[0]?.nonce], ['key-1', 'their-nonce']);
      assert.equal(verify(view, SECRET + '!'), 'SIGNATURE_INVALID', 'another secret');
    });

    it(`signs what it verifies: ${c.name}`, async () => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const added = signRequest({
        method: c.method.toLowerCase(),
        url: c.url,
        headers,
        body: c.body,
        keyid: 'key-1',
        secret: SECRET,
        components: ['content-type'],
      });
      const all = { ...headers, ...added };
      const keyLookup = () =>
        Promise.resolve({
          id: 'key-1',
          algs: ['hmac-sha256'],
          verify: createVerifier(Buffer.from(SECRET, 'utf8'), 'hmac-sha256'),
        });
      const theirs = await httpbis.verifyMessage(
        { keyLookup, requiredFields: ['@method', '@path'], maxAge: 60 },
        { method: c.method, url: c.url, headers: all },
      );
      assert.equal(theirs, true);
      const wrong = await httpbis.verifyMessage(
        { keyLookup },
        { method: c.method, url: c.url.replace('/api/', '/apx/'), headers: all },
      );
      assert.equal(wrong, false);
      assert.equal(verify(viewOf(c.method, c.url, all, c.body)), 'OK', 'and ours agrees');
    });
  }
});

describe('signRequest', () => {
  it('covers method, path, query, digest and extra headers with created, keyid, nonce, alg', () => {
    const headers = signRequest({
      method: 'patch',
      url: new URL('https://example.com/a/../b%2F?x=1&x=2'),
      headers: { 'X-Trace': ['  a', 'b  '] },
      body: new Uint8Array([1, 2, 3]),
      keyid: 'k"1\\',
      secret: SECRET,
      created: 1_700_000_000,
      nonce: 'n',
      label: 'my-sig',
      components: ['X-Trace', 'content-digest'],
    });
    assert.deepEqual(Object.keys(headers).sort(), [
      'content-digest',
      'signature',
      'signature-input',
    ]);
    assert.equal(
      headers['signature-input'],
      'my-sig=("@method" "@path" "@query" "content-digest" "x-trace");created=1700000000' +
        ';keyid="k\\"1\\\\";nonce="n";alg="hmac-sha256"',
    );
    assert.equal(headers['content-digest'], contentDigest(Buffer.from([1, 2, 3])));
    const view = viewOf('PATCH', 'https://example.com/b%2F?x=1&x=2', {
      ...headers,
      'x-trace': 'a, b',
    });
    const sigs = parseSignatures(view.header('signature-input'), view.header('signature'));
    assert.ok(Array.isArray(sigs) && sigs[0]);
    assert.equal(sigs[0].keyid, 'k"1\\');
    const base = signatureBase(sigs[0], view);
    assert.ok(typeof base === 'string' && hmacMatches(base, SECRET, sigs[0].signature));
  });

  it('defaults: now, 16 random bytes of nonce, label sig; no digest without a body', () => {
    const a = signRequest({ method: 'GET', url: '/p', keyid: 'k', secret: SECRET, body: '' });
    const b = signRequest({ method: 'GET', url: '/p', keyid: 'k', secret: SECRET });
    assert.deepEqual(Object.keys(a).sort(), ['signature', 'signature-input']);
    const [sa, sb] = [a, b].map((h) => {
      const parsed = parseSignatures(h['signature-input'], h.signature);
      assert.ok(Array.isArray(parsed) && parsed[0]);
      return parsed[0];
    });
    assert.ok(sa && sb);
    assert.equal(sa.label, 'sig');
    assert.deepEqual(sa.components, ['"@method"', '"@path"']);
    assert.ok(Math.abs((sa.created ?? 0) - now()) <= 1);
    assert.match(sa.nonce ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(sa.nonce, sb.nonce);
    assert.equal(verify(viewOf('GET', 'http://h/p', a)), 'OK');
    assert.equal(verify(viewOf('GET', 'http://h/p?', a)), 'OK', 'a bare ? is no query');
  });

  it('throws on what it cannot sign', () => {
    const base = { method: 'GET', url: '/p', keyid: 'k', secret: SECRET };
    assert.throws(() => signRequest({ ...base, components: ['x-absent'] }), TypeError);
    assert.throws(() => signRequest({ ...base, components: ['@authority'] }), TypeError);
    assert.throws(() => signRequest({ ...base, keyid: 'ключ' }), TypeError);
    assert.throws(() => signRequest({ ...base, label: 'Sig' }), TypeError);
    assert.throws(() => signRequest({ ...base, created: 1.5 }), TypeError);
    const line = { ...base, headers: { 'x-a': 'a\nb' }, components: ['x-a'] };
    assert.throws(() => signRequest(line), TypeError);
  });
});
