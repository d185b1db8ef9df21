import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPage, verifySent, type Sent } from './fake-browser.spec';

const KEYID = 'kid-xhr';
const KEY = 'a2V5LWZvci14aHI';
const COOKIE = `np_sign=${KEYID}~${KEY}`;

const last = (sent: Sent[]): Sent => sent[sent.length - 1] as Sent;
const signed = (s: Sent) => s.header('signature-input') !== undefined;

describe('browser signing script: XMLHttpRequest', () => {
  it('signs asynchronously, then sets the headers and sends', async () => {
    const page = openPage({ cookie: COOKIE });
    const xhr = new page.XMLHttpRequest();
    xhr.open('post', '/api/orders?dry=1');
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.send('{"order":42}');
    assert.equal(page.sent.length, 0, 'nothing goes out before the signature is ready');
    await page.until(1);
    const s = last(page.sent);
    assert.equal(s.via, 'xhr');
    assert.equal(s.method, 'POST');
    assert.equal(s.header('content-type'), 'application/json');
    assert.match(
      s.header('signature-input') ?? '',
      /^sig=\("@method" "@path" "@query" "content-digest"\)/,
    );
    assert.equal(verifySent(s, KEY, KEYID), 'OK');
  });

  it('signs every body kind, and ignores the body of GET and HEAD as XHR does', async () => {
    const page = openPage({ cookie: COOKIE });
    const bytes = new Uint8Array([9, 8, 7, 6, 5]);
    const bodies = [
      new URLSearchParams('x=1&y=ü'),
      bytes.buffer,
      bytes.subarray(1, 3),
      new Blob(['b']),
    ];
    for (const body of bodies) {
      const xhr = new page.XMLHttpRequest();
      xhr.open('PUT', 'https://app.example.com/api/put');
      xhr.send(body);
    }
    const get = new page.XMLHttpRequest();
    get.open('GET', '/api/get?a=1');
    get.send('ignored');
    await page.until(bodies.length + 1);
    const puts = page.sent.filter((s) => s.method === 'PUT'); // finished in any order
    assert.equal(puts.length, bodies.length);
    for (const s of puts) {
      assert.ok(s.header('content-digest'));
      assert.equal(verifySent(s, KEY, KEYID), 'OK');
    }
    const g = page.sent.find((s) => s.method === 'GET') as Sent;
    assert.doesNotMatch(g.header('signature-input') ?? '', /content-digest/);
    assert.equal(verifySent({ ...g, body: undefined }, KEY, KEYID), 'OK');
  });

  it('owns Signature, Signature-Input and Content-Digest: a page value is not merged in', async () => {
    const page = openPage({ cookie: COOKIE });
    const xhr = new page.XMLHttpRequest();
    xhr.open('POST', '/api/x');
    xhr.setRequestHeader('Signature', 'sig=:AAAA:');
    xhr.setRequestHeader('Content-Digest', 'sha-256=:AAAA:');
    xhr.send('body');
    await page.until(1);
    assert.equal(verifySent(last(page.sent), KEY, KEYID), 'OK');
    assert.throws(() => xhr.setRequestHeader('X-Late', '1'), { name: 'InvalidStateError' });
    assert.throws(() => xhr.send('again'), { name: 'InvalidStateError' });
  });

  it('does not sign cross-origin or synchronous requests, nor without the cookie', async () => {
    const page = openPage({ cookie: COOKIE });
    const cross = new page.XMLHttpRequest();
    cross.open('POST', 'https://other.example/api');
    cross.setRequestHeader('Signature', 'theirs');
    cross.send('x');
    const sync = new page.XMLHttpRequest();
    sync.open('GET', '/api/sync', false);
    sync.send();
    await page.until(2);
    assert.ok(page.sent.every((s) => !signed(s)));
    assert.equal(
      page.sent[0]?.header('signature'),
      'theirs',
      'a cross-origin request is untouched',
    );

    const anonymous = openPage({ cookie: '' });
    const xhr = new anonymous.XMLHttpRequest();
    xhr.open('POST', '/api/x');
    xhr.setRequestHeader('Signature', 'kept');
    xhr.send('x');
    await anonymous.until(1);
    assert.ok(!signed(last(anonymous.sent)));
    assert.equal(last(anonymous.sent).header('signature'), 'kept', 'unsigned: the page value goes');
  });

  it('drops a send aborted or superseded by open() while the signature was pending', async () => {
    const page = openPage({ cookie: COOKIE });
    const aborted = new page.XMLHttpRequest();
    aborted.open('POST', '/api/aborted');
    aborted.send('x');
    aborted.abort();
    const reopened = new page.XMLHttpRequest();
    reopened.open('POST', '/api/first');
    reopened.send('x');
    reopened.open('GET', '/api/second');
    reopened.send();
    await page.until(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      page.sent.map((s) => s.url.pathname),
      ['/api/second'],
    );
    assert.equal(verifySent(last(page.sent), KEY, KEYID), 'OK');
  });
});
