import type { ProtectionRequest } from '../core/http.types';
import {
  abuseKey,
  bounded,
  clientAddressKey,
  userIdOf,
  type IdentitySettings,
} from '../core/identity';
import { addressKey, canonicalIp } from '../core/ip-address';
import type { RateLimitRule } from './rate-limit-options.interface';

/**
 * Who a rule counts, as the store keys it. The guard works it out from the request;
 * `RateLimitService` from what the app names (an address, a user id, a key function's value),
 * so both reach the same budget.
 */
export function clientOf(
  key: RateLimitRule['key'],
  req: ProtectionRequest,
  identity: IdentitySettings,
): string {
  switch (key) {
    case 'ip':
      return 'ip:' + clientAddressKey(req, identity);
    case 'identity':
      // An anonymous client counts by its address: a session or User-Agent is free to change.
      return 'id:' + abuseKey(req, identity);
    case 'user': {
      const id = userIdOf(req);
      return id !== undefined ? 'user:' + id : 'ip:' + clientAddressKey(req, identity);
    }
    default:
      return 'fn:' + String(key(req)).slice(0, 256);
  }
}

/**
 * What `RateLimitService` is told to act on: a client address (counted as the guard counts it:
 * IPv6 by its prefix), an authenticated user id, or the value of the rule's key function.
 */
export type RateLimitSubject = { ip: string } | { user: string | number } | { key: string };

export function clientOfSubject(
  key: RateLimitRule['key'],
  subject: RateLimitSubject,
  identity: IdentitySettings,
): string {
  if ('ip' in subject) {
    const ip = canonicalIp(subject.ip);
    if (!ip)
      throw new TypeError(`RateLimitService: ${JSON.stringify(subject.ip)} is not an IP address`);
    const k = addressKey(ip, identity.ipv6Subnet);
    return key === 'identity' ? 'id:a:' + k : 'ip:' + k;
  }
  if ('user' in subject) {
    if (key === 'user') return 'user:' + String(subject.user);
    if (key === 'identity') return 'id:' + bounded('u:', String(subject.user));
    throw new TypeError(
      `RateLimitService: this rule counts by ${typeof key === 'function' ? 'its key function: pass { key }' : 'address: pass { ip }'}, not { user }`,
    );
  }
  if (typeof key !== 'function')
    throw new TypeError(
      `RateLimitService: { key } is for rules with a key function; this rule counts by '${key}'`,
    );
  return 'fn:' + subject.key.slice(0, 256);
}
