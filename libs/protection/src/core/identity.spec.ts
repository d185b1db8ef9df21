import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProtectionRequest } from './http.types';
import { compileProxyTrust, normalizeIp, resolveClientIp } from './client-ip';
import { readCookie, resolveIdentity, type IdentitySettings } from './identity';

const req = (
  peer: string,
  headers: Record<string, string> = {},
  extra: Partial<ProtectionRequest> = {},
): ProtectionRequest =>
  ({ headers, socket: { remoteAddress: peer }, ...extra }) as unknown as ProtectionRequest;
const settings = (over: Partial<IdentitySettings> = {}): IdentitySettings => ({
  sessionCookie: 'session',
  sessionHeader: 'session',
  trust: compileProxyTrust(undefined),
  ...over,
});

describe('client IP', () => {
  const trust = compileProxyTrust(undefined);
  it('normalizes IPv4-mapped IPv6 and rejects garbage', () => {
    assert.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(normalizeIp('not-an-ip'), '');
  });
  it('ignores forwarding headers from an untrusted peer', () => {
    assert.equal(
      resolveClientIp(
        req('8.8.8.8', { 'x-forwarded-for': '1.1.1.1', 'x-real-ip': '2.2.2.2' }),
        trust,
      ),
      '8.8.8.8',
    );
  });
  it('takes X-Real-IP, else the right-most untrusted X-Forwarded-For entry, from a trusted proxy', () => {
    assert.equal(resolveClientIp(req('127.0.0.1', { 'x-real-ip': '2.2.2.2' }), trust), '2.2.2.2');
    assert.equal(
      resolveClientIp(
        req('10.0.0.1', { 'x-forwarded-for': '6.6.6.6, 5.5.5.5, 192.168.1.1' }),
        trust,
      ),
      '5.5.5.5',
    );
    assert.equal(resolveClientIp(req('::ffff:127.0.0.1', {}), trust), '127.0.0.1');
  });
  it('supports hop counts and explicit lists', () => {
    assert.equal(
      resolveClientIp(
        req('9.9.9.9', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2' }),
        compileProxyTrust(1),
      ),
      '2.2.2.2',
    );
    assert.equal(
      resolveClientIp(
        req('9.9.9.9', { 'x-forwarded-for': '1.1.1.1' }),
        compileProxyTrust(['9.9.9.0/24']),
      ),
      '1.1.1.1',
    );
    assert.equal(
      resolveClientIp(req('127.0.0.1', { 'x-forwarded-for': '1.1.1.1' }), compileProxyTrust(false)),
      '127.0.0.1',
    );
  });
});

describe('client identity', () => {
  it('prefers the session cookie, then the session header, then the user id', () => {
    const s = settings();
    assert.equal(
      resolveIdentity(req('1.1.1.1', { cookie: 'a=1; session=abc', session: 'hdr' }), s),
      's:abc',
    );
    assert.equal(resolveIdentity(req('1.1.1.1', { session: 'hdr' }), s), 's:hdr');
    assert.equal(resolveIdentity(req('1.1.1.1', {}, { user: { id: 42 } }), s), 'u:42');
  });
  it('gives sessionless clients distinct identities by IP and User-Agent', () => {
    const s = settings();
    const a = resolveIdentity(req('1.1.1.1', { 'user-agent': 'A' }), s);
    assert.match(a, /^a:/);
    assert.notEqual(a, resolveIdentity(req('1.1.1.2', { 'user-agent': 'A' }), s));
    assert.notEqual(a, resolveIdentity(req('1.1.1.1', { 'user-agent': 'B' }), s));
    assert.equal(a, resolveIdentity(req('1.1.1.1', { 'user-agent': 'A' }), s));
  });
  it('uses a custom identity function first, falling back when it returns nothing', () => {
    const s = settings({ custom: (r) => (r.headers['x-api-key'] as string | undefined) ?? null });
    assert.equal(resolveIdentity(req('1.1.1.1', { 'x-api-key': 'k1' }), s), 'c:k1');
    assert.equal(resolveIdentity(req('1.1.1.1', { session: 'x' }), s), 's:x');
  });
  it('bounds a huge session id and survives a broken cookie header', () => {
    const s = settings();
    assert.ok(resolveIdentity(req('1.1.1.1', { session: 'x'.repeat(10_000) }), s).length < 60);
    assert.equal(readCookie(req('1.1.1.1', { cookie: 'session=%E0%A4%A' }), 'session'), '%E0%A4%A');
    assert.equal(readCookie(req('1.1.1.1', { cookie: ';;=;session' }), 'session'), undefined);
  });
});
