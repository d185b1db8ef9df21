import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionRequest } from '../core/http.types';
import type { DebounceRouteOptions } from './debounce-options.interface';
import {
  canonicalJson,
  canonicalQuery,
  debounceKey,
  debounceMaterial,
  localDebounceKey,
} from './debounce.key';

const route = (over: Partial<DebounceRouteOptions> = {}): DebounceRouteOptions => ({
  waiting: undefined,
  reuse: false,
  session: true,
  method: true,
  query: true,
  header: [],
  body: false,
  credentials: [],
  mode: undefined,
  ...over,
});
const req = (over: Partial<ProtectionRequest> & { url?: string } = {}): ProtectionRequest => ({
  method: 'POST',
  url: '/a/b?x=1',
  headers: {},
  ...over,
});
const key = (r: ProtectionRequest, o = route(), id = 'me'): string => debounceKey(r, o, () => id);

describe('debounce key', () => {
  it('sorts query parameters by name, then value', () => {
    assert.equal(canonicalQuery('b=2&a=1&a=0'), 'a=0&a=1&b=2');
    assert.equal(canonicalQuery(''), '');
    assert.equal(canonicalQuery('x=a+b&y=%20'), 'x=a%20b&y=%20');
  });

  it('sorts JSON object keys at every level, keeps array order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }),
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('starts with the path without query and separates every enabled part', () => {
    const k = key(req());
    assert.match(k, /^\/a\/b\|[A-Za-z0-9_-]{43}$/);
    assert.equal(key(req({ url: '/a/b?x=1' })), k);
    assert.notEqual(key(req({ url: '/a/b?x=2' })), k, 'query');
    assert.equal(
      key(req({ url: '/a/b?x=2' }), route({ query: false })),
      key(req(), route({ query: false })),
    );
    assert.notEqual(key(req({ method: 'PUT' })), k, 'method');
    assert.equal(
      key(req({ method: 'PUT' }), route({ method: false })),
      key(req(), route({ method: false })),
    );
    assert.notEqual(key(req(), route(), 'other'), k, 'identity');
    assert.equal(
      key(req(), route({ session: false }), 'other'),
      key(req(), route({ session: false })),
    );
  });

  it('includes listed headers case-insensitively, absent as empty', () => {
    const o = route({ header: ['x-tenant'] });
    const a = key(req({ headers: { 'x-tenant': 'a' } }), o);
    assert.notEqual(a, key(req({ headers: { 'x-tenant': 'b' } }), o));
    assert.equal(key(req({ headers: {} }), o), key(req({ headers: { 'x-tenant': '' } }), o));
    assert.equal(key(req({ headers: { 'x-other': '1' } }), o), key(req({ headers: {} }), o));
  });

  it('hashes JSON bodies canonically and other bodies by bytes, only when enabled', () => {
    const o = route({ body: true });
    assert.equal(key(req({ body: { a: 1, b: 2 } }), o), key(req({ body: { b: 2, a: 1 } }), o));
    assert.notEqual(key(req({ body: { a: 1 } }), o), key(req({ body: { a: 2 } }), o));
    assert.notEqual(
      key(req({ body: Buffer.from('x') }), o),
      key(req({ body: Buffer.from('y') }), o),
    );
    assert.notEqual(key(req({ body: '1' }), o), key(req({ body: 1 }), o));
    assert.equal(key(req({ body: { a: 1 } })), key(req({ body: { a: 2 } })), 'body off by default');
  });

  it('answers 400, not 500, for a body nested too deeply to canonicalize', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.throws(
      () => key(req({ body: deep }), route({ body: true })),
      (err: { getStatus?: () => number }) => err.getStatus?.() === 400,
    );
  });

  it('bounds the path part of the key', () => {
    const long = '/' + 'p'.repeat(5000);
    assert.ok(key(req({ url: long })).length < 120);
  });

  it('in memory, keys short requests by their parts (no hash) and long ones by the hashed key, with the same equalities', () => {
    const local = (r: ProtectionRequest, o = route(), id = 'me'): string =>
      localDebounceKey(debounceMaterial(r, o, () => id));
    const k = local(req({ url: '/a/b?y=2&x=1' }));
    assert.equal(k, '/a/b|me\0POST\0x=1&y=2\0');
    assert.equal(local(req({ url: '/a/b?x=1&y=2' })), k);
    assert.notEqual(local(req({ url: '/a/b?x=1&y=3' })), k);
    assert.notEqual(local(req(), route(), 'other'), local(req()));
    assert.notEqual(
      local(req({ body: { a: 1 } }), route({ body: true })),
      local(req({ body: { a: 2 } }), route({ body: true })),
    );
    const long = req({ url: '/a/b?q=' + 'x'.repeat(1000) });
    assert.equal(local(long), key(long), 'a long key is hashed, bounded like a Redis key');
    assert.ok(!key(req()).includes('\0'), 'hashed keys never look like raw ones');
  });
});

describe('debounce key: route and credentials', () => {
  const routed = (url: string, params: Record<string, string>, headers = {}): ProtectionRequest =>
    ({
      method: 'POST',
      url,
      headers,
      route: { path: '/users/:id' },
      params,
    }) as unknown as ProtectionRequest;
  it('keys on the matched route and its decoded parameters, not on the URL spelling', () => {
    const one = key(routed('/users/1', { id: '1' }));
    assert.equal(key(routed('/users/%31/', { id: '1' })), one, 'spelling');
    assert.notEqual(key(routed('/users/2', { id: '2' })), one, 'another resource');
  });
  it('with reuse, adds a digest of the credentials: other or no credentials never share a key', () => {
    const reuse = route({ reuse: true, credentials: ['authorization', 'cookie'] });
    const alice = key(routed('/users/1', { id: '1' }, { authorization: 'Bearer alice' }), reuse);
    const none = key(routed('/users/1', { id: '1' }), reuse);
    const bob = key(routed('/users/1', { id: '1' }, { authorization: 'Bearer bob' }), reuse);
    assert.notEqual(alice, none);
    assert.notEqual(alice, bob);
    assert.equal(
      key(routed('/users/1', { id: '1' }, { authorization: 'Bearer alice' }), reuse),
      alice,
    );
    assert.ok(!alice.includes('alice'), 'the credential itself is not in the key');
  });
});
