import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ParsedSignature, SignedRequestView } from './http-signature.types';
import {
  checkCoverage,
  checkFreshness,
  hmacMatches,
  hmacMatchesKeyBytes,
  parseSignatures,
} from './signature-verify';

const parse = (input: string, sig = 'sig=:AAAA:'): ParsedSignature[] => {
  const parsed = parseSignatures(input, sig);
  assert.ok(Array.isArray(parsed), `${input}: ${JSON.stringify(parsed)}`);
  return parsed;
};
const one = (input: string): ParsedSignature => parse(input)[0] as ParsedSignature;

describe('parseSignatures', () => {
  it('reads labels, components and parameters', () => {
    const [sig] = parse(
      'sig=("@method" "@path" "@query-param";name="a");created=1700000000;expires=1700000300' +
        ';keyid="k1";nonce="n-1";alg="hmac-sha256";tag="app";other=tok',
      'sig=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:',
    );
    assert.ok(sig);
    assert.deepEqual(sig.components, ['"@method"', '"@path"', '"@query-param";name="a"']);
    assert.deepEqual(
      [sig.label, sig.created, sig.expires, sig.keyid, sig.nonce, sig.alg, sig.tag],
      ['sig', 1700000000, 1700000300, 'k1', 'n-1', 'hmac-sha256', 'app'],
    );
    assert.equal(sig.signature.toString('base64'), 'pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=');
    assert.equal(
      sig.paramsText,
      '("@method" "@path" "@query-param";name="a");created=1700000000;expires=1700000300' +
        ';keyid="k1";nonce="n-1";alg="hmac-sha256";tag="app";other=tok',
    );
  });

  it('re-serializes @signature-params canonically, whatever the spacing sent', () => {
    const sig = one('sig=(  "@method"   "@path" );created=0017;  keyid="k";b=?1;c=?0  ');
    assert.equal(sig.paramsText, '("@method" "@path");created=17;keyid="k";b;c=?0');
  });

  it('returns the labels present in both headers, in Signature-Input order', () => {
    const labels = parse(
      'b=("@method");created=2, only-input=(), a=("@path");created=1',
      'a=:AAAA:, b=:AAAA:, only-sig=:AAAA:',
    ).map((s) => s.label);
    assert.deepEqual(labels, ['b', 'a']);
    assert.equal(parseSignatures('a=()', 'b=:AAAA:'), 'SIGNATURE_INVALID', 'no label in both');
  });

  it('tells missing from invalid', () => {
    assert.equal(parseSignatures(undefined, undefined), 'SIGNATURE_MISSING');
    assert.equal(parseSignatures('sig=()', undefined), 'SIGNATURE_MISSING');
    assert.equal(parseSignatures(undefined, 'sig=:AAAA:'), 'SIGNATURE_MISSING');
    assert.equal(parseSignatures('', ''), 'SIGNATURE_MISSING');
    assert.equal(parseSignatures('  ', 'sig=:AAAA:'), 'SIGNATURE_MISSING');
    for (const [input, sig] of [
      ['sig=("@method"', 'sig=:AAAA:'], // unterminated
      ['sig=("@method")', 'sig=:AAA!:'], // bad base64
      ['sig=("@method")', 'sig=AAAA'], // a token, not bytes
      ['sig=(@method)', 'sig=:AAAA:'],
      ['sig=("@method");created="1"', 'sig=:AAAA:'], // created is an integer
      ['sig=("@method");created=1.5', 'sig=:AAAA:'],
      ['sig=("@method");keyid=k', 'sig=:AAAA:'], // keyid is a string
      ['sig=("@method");nonce=?1', 'sig=:AAAA:'],
      ['sig=("@method"), ', 'sig=:AAAA:'],
      ['sig=("é")', 'sig=:AAAA:'],
    ] as const) {
      assert.equal(parseSignatures(input, sig), 'SIGNATURE_INVALID', `${input} / ${sig}`);
    }
  });

  it('is bounded: 8 KB per header, 8 labels, 32 components', () => {
    const big = 'sig=("' + 'a'.repeat(8200) + '")';
    assert.equal(parseSignatures(big, 'sig=:AAAA:'), 'SIGNATURE_INVALID');
    assert.equal(parseSignatures('sig=()', 'sig=:' + 'A'.repeat(8200) + ':'), 'SIGNATURE_INVALID');
    const labels = (n: number) => Array.from({ length: n }, (_, i) => `s${i}=()`).join(', ');
    const sigs = (n: number) => Array.from({ length: n }, (_, i) => `s${i}=:AAAA:`).join(', ');
    assert.equal(parse(labels(8), sigs(8)).length, 8);
    assert.equal(parseSignatures(labels(9), sigs(1)), 'SIGNATURE_INVALID');
    assert.equal(parseSignatures(labels(1), sigs(9)), 'SIGNATURE_INVALID');
    const comps = (n: number) => Array.from({ length: n }, (_, i) => `"h${i}"`).join(' ');
    assert.equal(one(`sig=(${comps(32)})`).components.length, 32);
    assert.equal(parseSignatures(`sig=(${comps(33)})`, 'sig=:AAAA:'), 'SIGNATURE_INVALID');
    const huge = 'x'.repeat(5_000_000);
    const started = process.hrtime.bigint();
    assert.equal(parseSignatures(huge, huge), 'SIGNATURE_INVALID');
    assert.ok(process.hrtime.bigint() - started < 5_000_000n, 'refused without reading it');
  });
});

describe('checkCoverage', () => {
  const view = (query: string, body?: string): SignedRequestView => ({
    method: 'POST',
    path: '/a',
    query,
    authority: 'example.com',
    scheme: 'https',
    header: () => undefined,
    body: body === undefined ? undefined : Buffer.from(body),
  });
  const covered = (ids: string, v: SignedRequestView) => checkCoverage(one(`sig=(${ids})`), v);

  it('requires @method, the path, the query when there is one, the digest when a body', () => {
    assert.equal(covered('"@method" "@path"', view('')), null);
    assert.equal(covered('"@path"', view('')), 'SIGNATURE_INVALID');
    assert.equal(covered('"@method"', view('')), 'SIGNATURE_INVALID');
    assert.equal(covered('"@method" "@target-uri"', view('a=1')), null, 'the URI holds both');
    assert.equal(covered('"@method" "@path"', view('a=1')), 'SIGNATURE_INVALID');
    assert.equal(covered('"@method" "@path" "@query"', view('a=1')), null);
    assert.equal(
      covered('"@method" "@path" "@query-param";name="a"', view('a=1')),
      'SIGNATURE_INVALID',
    );
    assert.equal(covered('"@method" "@path"', view('', 'x')), 'SIGNATURE_INVALID');
    assert.equal(covered('"@method" "@path" "content-digest"', view('', 'x')), null);
    assert.equal(covered('"@method" "@path"', view('', '')), null, 'an empty body is none');
    assert.equal(covered('"@method";req "@path"', view('')), 'SIGNATURE_INVALID');
  });
});

describe('checkFreshness', () => {
  const at = (params: string) => one(`sig=()${params}`);
  it('needs created, refuses old and future-dated signatures and past expiry', () => {
    const now = 1_700_000_000;
    assert.equal(checkFreshness(at(''), now, 300, 5), 'SIGNATURE_INVALID');
    assert.equal(checkFreshness(at(`;created=${now}`), now, 300, 5), null);
    assert.equal(checkFreshness(at(`;created=${now - 300}`), now, 300, 5), null);
    assert.equal(checkFreshness(at(`;created=${now - 301}`), now, 300, 5), 'SIGNATURE_EXPIRED');
    assert.equal(checkFreshness(at(`;created=${now + 5}`), now, 300, 5), null);
    assert.equal(checkFreshness(at(`;created=${now + 6}`), now, 300, 5), 'SIGNATURE_EXPIRED');
    assert.equal(checkFreshness(at(`;created=${now};expires=${now}`), now, 300, 5), null);
    assert.equal(
      checkFreshness(at(`;created=${now - 10};expires=${now - 1}`), now, 300, 5),
      'SIGNATURE_EXPIRED',
    );
    assert.equal(checkFreshness(at(';created=-5'), now, 300, 5), 'SIGNATURE_EXPIRED');
  });
});

describe('hmacMatches', () => {
  it('keys HMAC-SHA256 with the UTF-8 bytes of the secret and compares the whole tag', () => {
    const secret = 'sécret-🔑';
    const tag = createHmac('sha256', Buffer.from(secret, 'utf8')).update('base').digest();
    assert.ok(hmacMatches('base', secret, tag));
    assert.ok(hmacMatchesKeyBytes('base', Buffer.from(secret, 'utf8'), tag));
    assert.ok(!hmacMatches('base ', secret, tag));
    assert.ok(!hmacMatches('base', secret + 'x', tag));
    assert.ok(!hmacMatches('base', secret, tag.subarray(0, 16)), 'a truncated tag');
    assert.ok(!hmacMatches('base', secret, Buffer.concat([tag, Buffer.alloc(1)])));
    assert.ok(!hmacMatches('base', secret, Buffer.alloc(0)));
  });
});
