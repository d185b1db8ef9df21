import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContentDigest, contentDigest } from './content-digest';
import type { SignedRequestView } from './http-signature.types';
import { signRequest } from './sign-request';
import { signatureBase } from './signature-base';
import { checkCoverage, checkFreshness, hmacMatches, parseSignatures } from './signature-verify';

const SECRET = 'tamper-test-secret';
const NOW = 1_700_000_000;
const BODY = '{"order":42,"note":"ünïcode"}';

/** The whole check a guard makes, first failure wins; 'OK' when the request verifies. */
function verify(view: SignedRequestView): string {
  const sigs = parseSignatures(view.header('signature-input'), view.header('signature'));
  if (typeof sigs === 'string') return sigs;
  const sig = sigs[0];
  if (!sig) return 'none';
  const failure = checkCoverage(sig, view) ?? checkFreshness(sig, NOW, 300, 5);
  if (failure) return failure;
  const base = signatureBase(sig, view);
  if (base === 'SIGNATURE_INVALID') return base;
  if (!hmacMatches(base, SECRET, sig.signature)) return 'SIGNATURE_INVALID';
  if (view.body?.length)
    return checkContentDigest(view.header('content-digest'), view.body) ?? 'OK';
  return 'OK';
}

interface Parts {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A signed POST; `body` null for none. */
function signed(created = NOW, withBody: string | null = BODY): Parts {
  const body = withBody ?? undefined;
  const headers = signRequest({
    method: 'POST',
    url: '/api/orders?dry=1&x=%20',
    body,
    keyid: 'client-7',
    secret: SECRET,
    created,
    nonce: 'bm9uY2Utbm9uY2Utbm9uY2U',
  });
  return { method: 'POST', path: '/api/orders', query: 'dry=1&x=%20', headers, body };
}

function view(p: Parts): SignedRequestView {
  return {
    method: p.method,
    path: p.path,
    query: p.query,
    authority: 'example.com',
    scheme: 'https',
    header: (name) => p.headers[name],
    body: p.body === undefined ? undefined : Buffer.from(p.body),
  };
}

/** `p` with the Signature-Input text edited by `edit`. */
const input = (p: Parts, edit: (s: string) => string): Parts => ({
  ...p,
  headers: { ...p.headers, 'signature-input': edit(p.headers['signature-input'] as string) },
});

describe('tampering with a signed request', () => {
  it('verifies the untouched request, and the same one re-spaced', () => {
    const p = signed();
    assert.equal(verify(view(p)), 'OK');
    const spaced = input(p, (s) => s.replace('=(', '=(  ').replace(/" "/g, '"   "') + '  ');
    assert.equal(verify(view(spaced)), 'OK', '@signature-params is re-serialized canonically');
  });

  it('refuses each covered part changed', () => {
    const p = signed();
    const cases: [string, Parts, string][] = [
      ['method', { ...p, method: 'PUT' }, 'SIGNATURE_INVALID'],
      ['method case', { ...p, method: 'post' }, 'SIGNATURE_INVALID'],
      ['path', { ...p, path: '/api/orderz' }, 'SIGNATURE_INVALID'],
      ['path encoding', { ...p, path: '/api/%6Frders' }, 'SIGNATURE_INVALID'],
      ['query', { ...p, query: 'dry=0&x=%20' }, 'SIGNATURE_INVALID'],
      ['query dropped', { ...p, query: '' }, 'SIGNATURE_INVALID'],
      ['body', { ...p, body: BODY.replace('42', '43') }, 'DIGEST_MISMATCH'],
      [
        'body and a recomputed content-digest',
        {
          ...p,
          body: BODY.replace('42', '43'),
          headers: { ...p.headers, 'content-digest': contentDigest(BODY.replace('42', '43')) },
        },
        'SIGNATURE_INVALID',
      ],
      [
        'content-digest header garbled',
        { ...p, headers: { ...p.headers, 'content-digest': 'sha-256=:AAAA:' } },
        'SIGNATURE_INVALID',
      ],
      [
        'created',
        input(p, (s) => s.replace(`created=${NOW}`, `created=${NOW - 1}`)),
        'SIGNATURE_INVALID',
      ],
      [
        'keyid',
        input(p, (s) => s.replace('keyid="client-7"', 'keyid="client-8"')),
        'SIGNATURE_INVALID',
      ],
      ['nonce', input(p, (s) => s.replace('nonce="bm9', 'nonce="bm8')), 'SIGNATURE_INVALID'],
      [
        'alg',
        input(p, (s) => s.replace('alg="hmac-sha256"', 'alg="hmac-sha512"')),
        'SIGNATURE_INVALID',
      ],
      ['a parameter added', input(p, (s) => s + ';tag="x"'), 'SIGNATURE_INVALID'],
      ['@query uncovered', input(p, (s) => s.replace(' "@query"', '')), 'SIGNATURE_INVALID'],
      [
        'content-digest uncovered',
        input(p, (s) => s.replace(' "content-digest"', '')),
        'SIGNATURE_INVALID',
      ],
      [
        'components reordered',
        input(p, (s) => s.replace('"@method" "@path"', '"@path" "@method"')),
        'SIGNATURE_INVALID',
      ],
    ];
    for (const [what, parts, code] of cases) assert.equal(verify(view(parts)), code, what);
  });

  it('refuses a changed signature, and a body added to a bodiless request', () => {
    const p = signed();
    const sig = p.headers.signature as string;
    const flipped = sig.slice(0, 6) + (sig[6] === 'A' ? 'B' : 'A') + sig.slice(7);
    assert.equal(
      verify(view({ ...p, headers: { ...p.headers, signature: flipped } })),
      'SIGNATURE_INVALID',
    );
    const get = signed(NOW, null);
    assert.equal(verify(view(get)), 'OK');
    assert.equal(verify(view({ ...get, body: 'smuggled' })), 'SIGNATURE_INVALID');
  });

  it('refuses expired and future-dated signatures, and missing headers', () => {
    assert.equal(verify(view(signed(NOW - 301))), 'SIGNATURE_EXPIRED');
    assert.equal(verify(view(signed(NOW + 60))), 'SIGNATURE_EXPIRED');
    assert.equal(
      verify(view(input(signed(), (s) => s + `;expires=${NOW - 1}`))),
      'SIGNATURE_EXPIRED',
    );
    const p = signed();
    const { signature: _s, ...noSignature } = p.headers;
    const { 'signature-input': _i, ...noInput } = p.headers;
    assert.equal(verify(view({ ...p, headers: noSignature })), 'SIGNATURE_MISSING');
    assert.equal(verify(view({ ...p, headers: noInput })), 'SIGNATURE_MISSING');
  });
});

describe('garbage headers (fuzz)', () => {
  it('never throws and refuses 2,000 random values in every header', () => {
    let seed = 0x9421;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const int = (n: number) => Math.floor(rand() * n);
    const alphabet = ['"', '\\', '(', ')', ';', '=', ',', ':', ' ', '\t', '?', '@', '%', '*', '-'];
    const char = (): string => {
      const r = rand();
      if (r < 0.4) return String.fromCharCode(0x20 + int(95)); // printable ASCII
      if (r < 0.7) return alphabet[int(alphabet.length)] as string;
      if (r < 0.8) return String.fromCharCode(0x80 + int(0x80)); // Latin-1, as Node decodes
      if (r < 0.9) return String.fromCharCode(int(0x20)); // control characters
      return String.fromCharCode(0x100 + int(0xffff - 0x100)); // beyond Latin-1, lone surrogates
    };
    const random = () => {
      const r = rand();
      const text = Array.from({ length: int(300) }, char).join('');
      // Huge values (around the 8 KB bound, and far over it) repeat a random piece.
      return r < 0.9 ? text : text.repeat(r < 0.97 ? 8192 / (text.length + 1) + 1 : 400);
    };
    const templates = [
      () => `sig=("@method${random()}`, // unterminated string
      () => `sig=("@method" "@path");created=${random()}`,
      () => `sig=:${Buffer.from(random()).toString('base64')}${random()}:`, // bad base64
      () => `sig=:${random()}`,
      () => `sig=(${'"a" '.repeat(int(60))});created=${NOW}`,
      random,
    ];
    const good = signed();
    const codes = new Map<string, number>();
    for (let n = 0; n < 2000; n++) {
      const garbage = (templates[int(templates.length)] as () => string)();
      const variants: Record<string, string>[] = [
        { ...good.headers, 'signature-input': garbage },
        { ...good.headers, signature: garbage },
        { ...good.headers, 'signature-input': garbage, signature: garbage },
        { ...good.headers, 'content-digest': garbage },
      ];
      for (const headers of variants) {
        const v = view({ ...good, headers });
        const parsed = parseSignatures(headers['signature-input'], headers.signature);
        const result = verify(v);
        const blank = /^ *$/.test(garbage);
        assert.ok(Array.isArray(parsed) || parsed === 'SIGNATURE_INVALID' || blank, garbage);
        assert.notEqual(result, 'OK', JSON.stringify(garbage));
        assert.ok(result !== 'SIGNATURE_MISSING' || blank);
        assert.equal(checkContentDigest(garbage, Buffer.from(BODY)), 'DIGEST_MISMATCH');
        codes.set(result, (codes.get(result) ?? 0) + 1);
      }
    }
    assert.ok((codes.get('SIGNATURE_INVALID') ?? 0) > 6000, JSON.stringify([...codes]));
  });
});
