import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedSignature, SignedRequestView } from './http-signature.types';
import { signatureBase } from './signature-base';
import { hmacMatchesKeyBytes, parseSignatures } from './signature-verify';

/** A view over raw request parts; header names given in any case. */
function view(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
  scheme: 'http' | 'https' = 'https',
): SignedRequestView {
  const q = target.indexOf('?');
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    authority: lower.get('host') ?? '',
    scheme,
    header: (name) => lower.get(name),
    body: body === undefined ? undefined : Buffer.from(body),
  };
}

/** The one signature of a Signature-Input value (the signature bytes do not matter here). */
function signature(input: string, sig = 'x=::'): ParsedSignature {
  const label = input.slice(0, input.indexOf('='));
  const parsed = parseSignatures(input, sig.replace('x=', label + '='));
  assert.ok(Array.isArray(parsed), `parsed ${input}: ${JSON.stringify(parsed)}`);
  return parsed[0] as ParsedSignature;
}

// RFC 9421's test-request message (from its test cases).
const testRequest = view(
  'POST',
  '/foo?param=Value&Pet=dog',
  {
    Host: 'example.com',
    Date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'Content-Type': 'application/json',
    'Content-Digest':
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'Content-Length': '18',
  },
  '{"hello": "world"}',
);

/** RFC 9421's test-case signature bases, as printed (with RFC 8792 line wrapping undone). */
const B2 = {
  'sig-b21': [
    '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
  ],
  'sig-b22': [
    '"@authority": example.com',
    '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    '"@query-param";name="Pet": dog',
    '"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
  ],
  'sig-b23': [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@query": ?param=Value&Pet=dog',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
  ],
  'sig-b25': [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@authority": example.com',
    '"content-type": application/json',
    '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
  ],
  'sig-b26': [
    '"date": Tue, 20 Apr 2021 02:07:55 GMT',
    '"@method": POST',
    '"@path": /foo',
    '"@authority": example.com',
    '"content-type": application/json',
    '"content-length": 18',
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
  ],
};

/** RFC 9421's example shared secret, test-shared-secret: 64 bytes in base64. */
const TEST_SHARED_SECRET = Buffer.from(
  'uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==',
  'base64',
);

describe('RFC 9421 test vectors', () => {
  for (const [label, lines] of Object.entries(B2)) {
    it(`rebuilds the ${label} signature base exactly`, () => {
      const params = (lines[lines.length - 1] as string).slice('"@signature-params": '.length);
      const sig = signature(`${label}=${params}`);
      assert.equal(sig.paramsText, params);
      assert.equal(signatureBase(sig, testRequest), lines.join('\n'));
    });
  }

  it('verifies the sig-b25 hmac-sha256 signature with test-shared-secret', () => {
    const parsed = parseSignatures(
      'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
      'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
    );
    assert.ok(Array.isArray(parsed));
    const sig = parsed[0] as ParsedSignature;
    assert.equal(sig.keyid, 'test-shared-secret');
    const base = signatureBase(sig, testRequest);
    assert.equal(base, B2['sig-b25'].join('\n'));
    assert.ok(hmacMatchesKeyBytes(base, TEST_SHARED_SECRET, sig.signature));
    const other = view('POST', '/foo', { Host: 'example.org', Date: 'x', 'Content-Type': 'y' });
    assert.ok(!hmacMatchesKeyBytes(signatureBase(sig, other), TEST_SHARED_SECRET, sig.signature));
  });

  it('refuses the response-only component @status (sig-b24) on a request', () => {
    const sig = signature('sig-b24=("@status" "content-type");created=1618884473');
    assert.equal(signatureBase(sig, testRequest), 'SIGNATURE_INVALID');
  });
});

describe('derived components (RFC 9421 examples)', () => {
  const line = (id: string, request: SignedRequestView): string => {
    const base = signatureBase(signature(`s=(${id})`), request);
    return base.slice(0, base.indexOf('\n'));
  };
  const example = view('POST', '/path?param=value', { Host: 'www.example.com' });

  it('derives method, target URI, authority, scheme, request target, path and query', () => {
    assert.equal(line('"@method"', example), '"@method": POST');
    assert.equal(
      line('"@target-uri"', example),
      '"@target-uri": https://www.example.com/path?param=value',
    );
    assert.equal(line('"@authority"', example), '"@authority": www.example.com');
    const plain = view('POST', '/path?param=value', { Host: 'www.example.com' }, undefined, 'http');
    assert.equal(line('"@scheme"', plain), '"@scheme": http');
    assert.equal(line('"@request-target"', example), '"@request-target": /path?param=value');
    assert.equal(line('"@path"', example), '"@path": /path');
    const q = view('GET', '/path?param=value&foo=bar&baz=bat%2Dman', { Host: 'www.example.com' });
    assert.equal(line('"@query"', q), '"@query": ?param=value&foo=bar&baz=bat%2Dman');
    assert.equal(line('"@query"', view('POST', '/path?queryString', {})), '"@query": ?queryString');
    assert.equal(line('"@query"', view('GET', '/path', {})), '"@query": ?');
  });

  it('normalizes the authority (lower case, no default port) and an empty path', () => {
    const v = view('GET', '', { Host: 'WWW.Example.COM:443' });
    assert.equal(line('"@authority"', v), '"@authority": www.example.com');
    assert.equal(line('"@path"', v), '"@path": /');
    assert.equal(line('"@target-uri"', v), '"@target-uri": https://www.example.com/');
    const port = view('GET', '/', { Host: 'example.com:8443' });
    assert.equal(line('"@authority"', port), '"@authority": example.com:8443');
    const http = view('GET', '/', { Host: 'example.com:80' }, undefined, 'http');
    assert.equal(line('"@authority"', http), '"@authority": example.com');
  });

  it('derives @query-param as RFC 9421 encodes names and values', () => {
    const v = view('GET', '/path?param=value&foo=bar&baz=batman&qux=', {});
    assert.equal(line('"@query-param";name="baz"', v), '"@query-param";name="baz": batman');
    assert.equal(line('"@query-param";name="qux"', v), '"@query-param";name="qux": ');
    assert.equal(line('"@query-param";name="param"', v), '"@query-param";name="param": value');
    const encoded = view(
      'GET',
      '/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something',
      {},
    );
    assert.equal(
      line('"@query-param";name="var"', encoded),
      '"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value',
    );
    assert.equal(
      line('"@query-param";name="bar"', encoded),
      '"@query-param";name="bar": with%20plus%20whitespace',
    );
    assert.equal(
      line('"@query-param";name="fa%C3%A7ade%22%3A%20"', encoded),
      '"@query-param";name="fa%C3%A7ade%22%3A%20": something',
    );
  });

  it('refuses a missing or repeated query parameter and @query-param without a name', () => {
    const v = view('GET', '/p?a=1&a=2&b=3', {});
    const base = (ids: string) => signatureBase(signature(`s=(${ids})`), v);
    assert.equal(base('"@query-param";name="a"'), 'SIGNATURE_INVALID', 'sent twice');
    assert.equal(base('"@query-param";name="c"'), 'SIGNATURE_INVALID', 'absent');
    assert.equal(base('"@query-param"'), 'SIGNATURE_INVALID');
    assert.equal(base('"@query-param";name=?1'), 'SIGNATURE_INVALID', 'name not a string');
    assert.equal(base('"@query-param";name="b";req'), 'SIGNATURE_INVALID');
    assert.match(String(base('"@query-param";name="b"')), /^"@query-param";name="b": 3\n/);
  });
});

describe('header fields and refusals', () => {
  it('trims OWS and keeps the values as the view joined them', () => {
    const v = view('GET', '/', {
      'X-OWS-Header': '  \tLeading and trailing whitespace.\t ',
      'Cache-Control': 'max-age=60, must-revalidate',
      'X-Nbsp': '\u00a0kept\u00a0',
    });
    const sig = signature('s=("x-ows-header" "cache-control" "x-nbsp")');
    assert.equal(
      signatureBase(sig, v),
      '"x-ows-header": Leading and trailing whitespace.\n' +
        '"cache-control": max-age=60, must-revalidate\n' +
        '"x-nbsp": \u00a0kept\u00a0\n' +
        '"@signature-params": ("x-ows-header" "cache-control" "x-nbsp")',
    );
  });

  it('refuses absent, repeated, unknown, upper-case and parameterized components', () => {
    const v = view('GET', '/', { Host: 'a', 'X-A': '1', 'X-Line': 'a\nb' });
    for (const ids of [
      '"x-missing"',
      '"x-a" "x-a"',
      '"@method" "@method"',
      '"@unknown"',
      '"@status"',
      '"@signature-params"',
      '"X-A"',
      '"x-a";sf',
      '"x-a";key="k"',
      '"x-a";bs',
      '"x-a";req',
      '"x-a";tr',
      '"@method";req',
      '"@path";name="x"',
      '"x-line"',
      '""',
      '"a b"',
    ]) {
      assert.equal(signatureBase(signature(`s=(${ids})`), v), 'SIGNATURE_INVALID', ids);
    }
  });

  it('signs the empty covered set: the base is the parameters line alone', () => {
    const sig = signature('s=();created=1');
    assert.equal(signatureBase(sig, view('GET', '/', {})), '"@signature-params": ();created=1');
  });
});
