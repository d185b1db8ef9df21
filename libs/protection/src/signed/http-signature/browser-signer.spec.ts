import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SIGN_SCRIPT_VERSION, signScriptSource } from './browser-signer';
import { openPage, verifySent, type Sent } from './fake-browser.spec';

const KEYID = 'kid_AbC-123';
const KEY = 'c2VjcmV0LWtleS1mb3ItdGhlLWJyb3dzZXI';
const COOKIE = `theme=dark; np_sign=${encodeURIComponent(`${KEYID}~${KEY}`)}; other=1`;
const ORIGIN = 'https://app.example.com';

const last = (sent: Sent[]): Sent => sent[sent.length - 1] as Sent;
const signed = (s: Sent) => s.header('signature-input') !== undefined;

describe('browser signing script: fetch', () => {
  it('is a plain IIFE with a content version', () => {
    assert.match(signScriptSource, /^\(function \(\) \{\n {2}'use strict';/);
    assert.doesNotMatch(signScriptSource, /\bimport\b|\brequire\(/);
    assert.match(SIGN_SCRIPT_VERSION, /^[A-Za-z0-9_-]{12}$/);
  });

  it('signs same-origin GETs: @method, @path, @query, as they go on the wire', async () => {
    const page = openPage({ cookie: COOKIE });
    const urls = [
      '/api/items',
      '/api/items?b=2&a=1',
      `${ORIGIN}/api/a b/ü/../x?q=ä ö&e=`,
      'relative/path?x#fragment',
      new URL('/api/u?', ORIGIN),
    ];
    for (const url of urls) await page.fetch(url);
    assert.equal(page.sent.length, urls.length);
    for (const s of page.sent) assert.equal(verifySent(s, KEY, KEYID), 'OK', s.url.href);
    const paths = page.sent.map((s) => s.url.pathname + s.url.search);
    assert.deepEqual(paths, [
      '/api/items',
      '/api/items?b=2&a=1',
      '/api/a%20b/x?q=%C3%A4%20%C3%B6&e=',
      '/dashboard/relative/path?x',
      '/api/u',
    ]);
    const input = page.sent[1]?.header('signature-input') ?? '';
    assert.match(
      input,
      /^sig=\("@method" "@path" "@query"\);created=\d+;keyid="kid_AbC-123";nonce="[\w-]{22}";alg="hmac-sha256"$/,
    );
    assert.doesNotMatch(page.sent[0]?.header('signature-input') ?? '', /@query/);
  });

  it('signs bodies of every kind with a Content-Digest over the exact bytes', async () => {
    const page = openPage({ cookie: COOKIE });
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253]);
    const bodies: NonNullable<RequestInit['body']>[] = [
      '{"name":"Zoë","n":1}',
      new URLSearchParams({ a: '1', b: 'é &=' }),
      bytes.buffer,
      bytes.subarray(2, 5),
      new DataView(bytes.buffer, 1, 3),
      new Blob(['blob ', 'body'], { type: 'text/plain' }),
    ];
    for (const body of bodies) await page.fetch('/api/upload', { method: 'post', body });
    for (const s of page.sent) {
      assert.equal(s.method, 'POST');
      assert.ok(s.header('content-digest')?.startsWith('sha-256=:'));
      assert.match(s.header('signature-input') ?? '', /"content-digest"\)/);
      assert.equal(verifySent(s, KEY, KEYID), 'OK');
    }
    assert.equal(page.sent[1]?.body?.toString(), 'a=1&b=%C3%A9+%26%3D');
    assert.deepEqual([...(page.sent[3]?.body ?? [])], [2, 250, 251]);
    assert.equal(
      page.sent[1]?.header('content-type'),
      'application/x-www-form-urlencoded;charset=UTF-8',
    );
    assert.equal(page.sent[5]?.header('content-type'), 'text/plain', 'default content types kept');
  });

  it('reads method, URL and body from a Request, and keeps its headers', async () => {
    const page = openPage({ cookie: COOKIE });
    const request = new Request(`${ORIGIN}/api/orders?dry=1`, {
      method: 'PUT',
      body: '{"order":1}',
      headers: { 'X-Custom': 'yes' },
    });
    await page.fetch(request);
    const s = last(page.sent);
    assert.equal(s.method, 'PUT');
    assert.equal(s.header('x-custom'), 'yes');
    assert.equal(s.body?.toString(), '{"order":1}');
    assert.equal(verifySent(s, KEY, KEYID), 'OK');
    await page.fetch(new Request(`${ORIGIN}/api/r`), { method: 'delete', headers: { A: 'b' } });
    assert.equal(last(page.sent).method, 'DELETE');
    assert.equal(last(page.sent).header('a'), 'b');
    assert.equal(verifySent(last(page.sent), KEY, KEYID), 'OK');
  });

  it('upper-cases the method it signs and sends', async () => {
    const page = openPage({ cookie: COOKIE });
    await page.fetch('/api/x', { method: 'patch', body: 'x' });
    assert.equal(last(page.sent).method, 'PATCH');
    assert.equal(verifySent(last(page.sent), KEY, KEYID), 'OK');
  });

  it('never signs cross-origin requests, and passes them through untouched', async () => {
    const page = openPage({ cookie: COOKIE });
    for (const url of [
      'https://api.other.example/x',
      'http://app.example.com/x', // another scheme is another origin
      'https://app.example.com:8443/x',
      '//evil.example/x',
    ]) {
      await page.fetch(url, { method: 'POST', body: 'secret?' });
      assert.ok(!signed(last(page.sent)), url);
      assert.equal(last(page.sent).header('content-digest'), undefined);
    }
  });

  it('leaves FormData and stream bodies unsigned (the server refuses them)', async () => {
    const page = openPage({ cookie: COOKIE });
    const form = new FormData();
    form.set('a', '1');
    await page.fetch('/api/form', { method: 'POST', body: form });
    assert.ok(!signed(last(page.sent)));
    assert.match(last(page.sent).header('content-type') ?? '', /^multipart\/form-data; boundary=/);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    await page.fetch('/api/stream', init);
    assert.ok(!signed(last(page.sent)));
    assert.equal(last(page.sent).body?.toString(), 'streamed');
  });

  it('signs nothing without the cookie; follows data-cookie and a renewed cookie', async () => {
    const none = openPage({ cookie: 'theme=dark' });
    await none.fetch('/api/x');
    assert.ok(!signed(last(none.sent)));

    const named = openPage({ cookie: `custom=${KEYID}~${KEY}`, dataCookie: 'custom' });
    await named.fetch('/api/x');
    assert.equal(verifySent(last(named.sent), KEY, KEYID), 'OK');

    const page = openPage({ cookie: COOKIE });
    page.document.cookie = `np_sign=new-kid~new-key`;
    await page.fetch('/api/x', { method: 'POST', body: 'after rotation' });
    assert.equal(verifySent(last(page.sent), 'new-key', 'new-kid'), 'OK');
    assert.equal(verifySent(last(page.sent), KEY, 'new-kid'), 'SIGNATURE_INVALID');

    for (const cookie of ['np_sign=%E0%A4%A', 'np_sign=nokey', 'np_sign=~k', 'np_sign=k~']) {
      const broken = openPage({ cookie });
      await broken.fetch('/api/x');
      assert.ok(!signed(last(broken.sent)), cookie);
    }
  });
});
