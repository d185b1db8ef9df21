import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isInnerList,
  parseDictionary,
  serializeInnerList,
  Token,
  type Dictionary,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';
import {
  parseBytesDictionary,
  parseInnerListDictionary,
  SfToken,
  type SfLimits,
  type SfParam,
} from './structured-fields';

const WIDE: SfLimits = { members: 1000, items: 1000, params: 1000 };

/** A small seeded PRNG (mulberry32): failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random generators of (mostly) valid structured-field text, and mutations of it. */
function generators(rand: () => number) {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const repeat = (n: number, f: () => string, sep = '') =>
    Array.from({ length: int(n + 1) }, f).join(sep);
  const sp = () => (rand() < 0.7 ? '' : ' '.repeat(1 + int(2)));
  const ows = () => pick(['', '', ' ', '\t', ' \t ']);
  const keys = ['sig', 'a', '*', 'k1', 'x-y', 'a.b_c', 'sha-256', 'sha-512', 'created'];
  const key = () =>
    rand() < 0.7 ? pick(keys) : pick(['a', 'z', '*']) + repeat(4, () => pick([...'az09_-.*']));
  const str = () =>
    '"' + repeat(6, () => pick(['a', ' ', '@', '\\"', '\\\\', '~', '(', ';', '=', ','])) + '"';
  const integer = () =>
    pick(['0', '-0', '7', '007', '-42', '1618884473', '999999999999999', '-999999999999999']);
  const bytes = () =>
    ':' +
    pick([
      '',
      'AA==',
      'AAA=',
      'AAAA',
      'YQ',
      'YWI',
      'YWJj',
      'pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=',
      '+/+/',
    ]) +
    ':';
  const bare = (): string => {
    const r = rand();
    if (r < 0.3) return str();
    if (r < 0.55) return integer();
    if (r < 0.65) return pick(['tok', 'T', '*x', 'a:b/c', "x!#$%&'*+-.^_`|~9"]);
    if (r < 0.75) return pick(['?0', '?1']);
    if (r < 0.8) return pick(['1.5', '-0.25', '12.0', '1.000']);
    if (r < 0.9) return bytes();
    return pick(['@1659578233', '%"caf%c3%a9"']);
  };
  const params = () => repeat(3, () => ';' + sp() + key() + (rand() < 0.8 ? '=' + bare() : ''));
  const innerList = () =>
    '(' +
    sp() +
    repeat(4, () => (rand() < 0.9 ? str() : bare()) + params(), ' ' + sp()) +
    sp() +
    ')' +
    params();
  const member = (value: () => string) =>
    key() + (rand() < 0.95 ? '=' + (rand() < 0.9 ? value() : bare() + params()) : params());
  const dictionary = (value: () => string) =>
    sp() + repeat(4, () => member(value), ows() + ',' + ows()) + (rand() < 0.2 ? ows() : '');
  const noise = [...'"\\();=,: \t?@%*-.0aZ', 'é', '\u0000', '\u007f', '\u2028', '==', '\u00ff'];
  const mutate = (s: string): string => {
    const at = int(s.length + 1);
    const r = rand();
    if (r < 0.3) return s.slice(0, at);
    if (r < 0.6) return s.slice(0, at) + pick(noise) + s.slice(at);
    if (r < 0.8) return s.slice(0, at) + s.slice(at + 1 + int(3));
    return s + ',' + ows() + s;
  };
  const garbage = () => repeat(30, () => pick(noise));
  return { dictionary, innerList, bytes, mutate, garbage, rand };
}

type Plain = unknown;
// structured-headers' BareItem includes the DOM type BufferSource (any here): take unknown.
const plainValue = (v: unknown): Plain => {
  if (v instanceof SfToken) return { token: v.value };
  if (v instanceof Token) return { token: v.toString() };
  if (typeof v === 'number') return v === 0 ? 0 : v; // -0 and 0 are one integer
  if (v instanceof ArrayBuffer) return { bytes: Buffer.from(v).toString('base64') };
  return v;
};
const plainRefParams = (p: Parameters): Plain => [...p].map(([k, v]) => [k, plainValue(v)]);
const plainParams = (p: readonly SfParam[]): Plain => p.map((x) => [x.key, plainValue(x.value)]);
const inSubset = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isInteger(v)) ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  v instanceof Token;

/**
 * Whether every value the reference ever stored is one this parser takes, including values a
 * later duplicate key replaced (this parser refuses those at once). A stored value is a
 * dictionary member (an item or inner list) or a parameter value (a bare item).
 */
function everInSubset(stored: readonly unknown[], member: 'inner-list' | 'bytes'): boolean {
  return stored.every((v) => {
    if (!Array.isArray(v)) return inSubset(v);
    const m = v as Item | InnerList;
    if (isInnerList(m))
      return member === 'inner-list' && m[0].every(([x]) => typeof x === 'string');
    return member === 'bytes' && m[0] instanceof ArrayBuffer;
  });
}

/** The reference's parse, and every value it stored in a Map on the way (it keeps the last). */
function reference(input: string): { dict: Dictionary; stored: unknown[] } | undefined {
  const stored: unknown[] = [];
  const set = Map.prototype.set; // eslint-disable-line @typescript-eslint/unbound-method
  Map.prototype.set = function (this: Map<unknown, unknown>, k: unknown, v: unknown) {
    stored.push(v);
    return set.call(this, k, v);
  };
  try {
    return { dict: parseDictionary(input), stored };
  } catch {
    return undefined;
  } finally {
    Map.prototype.set = set;
  }
}

describe('structured fields: differential test against structured-headers', () => {
  it('agrees on Signature-Input-like dictionaries (valid, mutated, garbage)', () => {
    const g = generators(prng(9421));
    const seen = { accepted: 0, refused: 0, unsupported: 0 };
    for (let n = 0; n < 20_000; n++) {
      const valid = g.dictionary(g.innerList);
      const input = n % 3 === 0 ? valid : n % 3 === 1 ? g.mutate(valid) : g.garbage();
      const ref = reference(input);
      const ours = parseInnerListDictionary(input, WIDE);
      const where = JSON.stringify(input);
      if (ref === undefined) {
        assert.equal(typeof ours, 'string', `accepted what the reference refuses: ${where}`);
        seen.refused++;
      } else if (typeof ours === 'string') {
        assert.equal(ours, 'unsupported', `refused valid ${where}`);
        // A decimal like 12.0 comes back from the reference as the number 12.
        const decimal = /\d\.\d/.test(input);
        assert.ok(!everInSubset(ref.stored, 'inner-list') || decimal, `unsupported? ${where}`);
        seen.unsupported++;
      } else {
        const expected = [...ref.dict].map(([key, m]) => {
          assert.ok(isInnerList(m));
          return {
            key,
            items: m[0].map(([v, p]) => ({ value: plainValue(v), params: plainRefParams(p) })),
            params: plainRefParams(m[1]),
            text: serializeInnerList(m),
          };
        });
        const actual = ours.map((m) => ({
          key: m.key,
          items: m.items.map((i) => ({
            value: plainValue(i.value),
            params: plainParams(i.params),
          })),
          params: plainParams(m.params),
          text: m.text,
        }));
        assert.deepEqual(actual, expected, where);
        seen.accepted++;
      }
    }
    // The generator must exercise every outcome, not just one.
    for (const [outcome, count] of Object.entries(seen)) assert.ok(count > 1000, outcome);
  });

  it('agrees on byte-sequence dictionaries (Signature, Content-Digest)', () => {
    const g = generators(prng(9530));
    const seen = { accepted: 0, refused: 0, unsupported: 0 };
    for (let n = 0; n < 20_000; n++) {
      const valid = g.dictionary(g.bytes);
      const input = n % 3 === 0 ? valid : n % 3 === 1 ? g.mutate(valid) : g.garbage();
      const ref = reference(input);
      const ours = parseBytesDictionary(input, WIDE);
      const where = JSON.stringify(input);
      if (ref === undefined) {
        assert.equal(typeof ours, 'string', `accepted what the reference refuses: ${where}`);
        seen.refused++;
      } else if (typeof ours === 'string') {
        assert.equal(ours, 'unsupported', `refused valid ${where}`);
        const decimal = /\d\.\d/.test(input);
        assert.ok(!everInSubset(ref.stored, 'bytes') || decimal, `unsupported? ${where}`);
        seen.unsupported++;
      } else {
        const expected = [...ref.dict].map(([key, m]) => ({
          key,
          bytes: plainValue(m[0]),
          params: plainRefParams(m[1]),
        }));
        const actual = ours.map((m) => ({
          key: m.key,
          bytes: { bytes: Buffer.from(m.base64, 'base64').toString('base64') },
          params: plainParams(m.params),
        }));
        assert.deepEqual(actual, expected, where);
        seen.accepted++;
      }
    }
    for (const [outcome, count] of Object.entries(seen)) assert.ok(count > 1000, outcome);
  });
});
