import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionRequest } from './http.types';
import { compileProxyTrust } from './client-ip';
import { abuseKey, readCookie, resolveIdentity, type IdentitySettings } from './identity';
import { SignedIds } from './signed-ids';

const req = (
  peer: string,
  headers: Record<string, string> = {},
  extra: Partial<ProtectionRequest> = {},
): ProtectionRequest =>
  ({ headers, socket: { remoteAddress: peer }, ...extra }) as unknown as ProtectionRequest;
const SECRET = 'a-test-secret-of-at-least-32-characters';
const settings = (over: Partial<IdentitySettings> = {}): IdentitySettings => ({
  sessionCookie: 'session',
  sessionHeader: 'session',
  sessions: new SignedIds([SECRET], 'session'),
  trust: compileProxyTrust(undefined),
  ipv6Subnet: 64,
  ...over,
});

describe('library-issued sessions', () => {
  it('verifies what it minted, and nothing else', () => {
    const keys = new SignedIds([SECRET], 'session');
    const session = keys.mint();
    assert.match(session, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    assert.ok(keys.verify(session));
    assert.ok(keys.verify(session), 'and again, from the verified cache');
    const flipped = session.slice(0, 30) + (session[30] === 'A' ? 'B' : 'A') + session.slice(31);
    assert.ok(!keys.verify(flipped), 'a changed signature');
    assert.ok(!keys.verify(session.slice(0, 44)), 'truncated');
    assert.ok(!keys.verify('x'.repeat(45)), 'invented');
    assert.ok(
      !new SignedIds(['another-secret-of-at-least-32-characters'], 'session').verify(session),
    );
    assert.ok(
      !new SignedIds([SECRET], 'ticket').verify(session),
      'another purpose: a ticket is no session',
    );
    // The last base64url character carries 2 spare bits: only the exact spelling is valid.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of alphabet) {
      if (c === session[44]) continue;
      assert.ok(!keys.verify(session.slice(0, 44) + c), `last character ${c}`);
    }
  });
  it('verifies sessions of every secret in the list and signs with the first (rotation)', () => {
    const old = new SignedIds([SECRET], 'session').mint();
    const rotated = new SignedIds(['the-new-secret-of-at-least-32-characters', SECRET], 'session');
    assert.ok(rotated.verify(old));
    assert.ok(!new SignedIds([SECRET], 'session').verify(rotated.mint()));
  });
});

describe('client identity', () => {
  it('puts the authenticated user first; a client-sent session never outranks it', () => {
    const s = settings();
    const minted = s.sessions.mint();
    assert.equal(
      resolveIdentity(req('1.1.1.1', { session: minted }, { user: { id: 42 } }), s),
      'u:42',
    );
    assert.equal(
      resolveIdentity(req('1.1.1.1', { session: 'x' }, { user: { id: 'alice' } }), s),
      'u:alice',
    );
  });
  it('takes a minted session (cookie, then header) and ignores values it did not mint', () => {
    const s = settings();
    const a = s.sessions.mint();
    const b = s.sessions.mint();
    assert.equal(
      resolveIdentity(req('1.1.1.1', { cookie: `x=1; session=${a}`, session: b }), s),
      's:' + a,
    );
    assert.equal(resolveIdentity(req('1.1.1.1', { session: b }), s), 's:' + b);
    const anonymous = resolveIdentity(req('1.1.1.1', { 'user-agent': 'A' }), s);
    for (const forged of ['x', 'alice', a.slice(0, 44) + 'x', 'y'.repeat(10_000)]) {
      assert.equal(
        resolveIdentity(req('1.1.1.1', { 'user-agent': 'A', session: forged }), s),
        anonymous,
        `forged ${forged.slice(0, 20)} is ignored`,
      );
    }
  });
  it('tells sessionless clients apart by address key and User-Agent', () => {
    const s = settings();
    const a = resolveIdentity(req('1.1.1.1', { 'user-agent': 'A' }), s);
    assert.match(a, /^a:/);
    assert.notEqual(a, resolveIdentity(req('1.1.1.2', { 'user-agent': 'A' }), s));
    assert.notEqual(a, resolveIdentity(req('1.1.1.1', { 'user-agent': 'B' }), s));
    assert.equal(a, resolveIdentity(req('1.1.1.1', { 'user-agent': 'A' }), s));
    const v6 = resolveIdentity(req('2001:db8:cc::1', { 'user-agent': 'A' }), s);
    assert.equal(
      v6,
      resolveIdentity(req('2001:DB8:CC:0:0:0:0:2', { 'user-agent': 'A' }), s),
      'one /64',
    );
  });
  it('uses a custom identity function first, falling back when it returns nothing', () => {
    const s = settings({ custom: (r) => (r.headers['x-api-key'] as string | undefined) ?? null });
    assert.equal(resolveIdentity(req('1.1.1.1', { 'x-api-key': 'k1' }), s), 'c:k1');
    const minted = s.sessions.mint();
    assert.equal(resolveIdentity(req('1.1.1.1', { session: minted }), s), 's:' + minted);
  });
  it('counts abuse by the authenticated user, else by the address key alone', () => {
    const s = settings();
    const anonymous = abuseKey(req('1.1.1.1', { 'user-agent': 'A' }), s);
    assert.equal(anonymous, 'a:1.1.1.1');
    assert.equal(
      abuseKey(req('1.1.1.1', { 'user-agent': 'B', session: s.sessions.mint() }), s),
      anonymous,
    );
    assert.equal(abuseKey(req('2001:db8:cc::7'), s), 'a:2001:db8:cc::/64');
    assert.equal(abuseKey(req('1.1.1.1', {}, { user: { id: 7 } }), s), 'u:7');
  });
  it('bounds a huge user id and survives a broken cookie header', () => {
    const s = settings();
    assert.ok(
      resolveIdentity(req('1.1.1.1', {}, { user: { id: 'x'.repeat(10_000) } }), s).length < 60,
    );
    assert.equal(readCookie(req('1.1.1.1', { cookie: 'session=%E0%A4%A' }), 'session'), '%E0%A4%A');
    assert.equal(readCookie(req('1.1.1.1', { cookie: ';;=;session' }), 'session'), undefined);
  });
});
