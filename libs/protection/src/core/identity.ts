import { addressKey, resolveClientIp, type ProxyTrust } from './client-ip';
import { sha256 } from './hash';
import { firstHeaderValue, lowerCaseHeader, rawRequest } from './http.adapter';
import type { ProtectionRequest } from './http.types';
import type { SignedIds } from './signed-ids';

/**
 * How the client is found: the authenticated user (the `identity` option, else `req.user.id`),
 * else a session the library signed, else the client address key plus the User-Agent.
 */
export interface IdentitySettings {
  readonly sessionCookie: string;
  /** In lower case. */
  readonly sessionHeader: string;
  readonly sessions: SignedIds;
  readonly trust: ProxyTrust;
  /** IPv6 clients are counted by this prefix length (IPv4 by address). */
  readonly ipv6Subnet: number;
  readonly custom?: (req: ProtectionRequest) => string | null | undefined;
}

const MAX_ID_LENGTH = 256;
const MAX_COOKIE_HEADER = 8192;

export function bounded(prefix: string, value: string): string {
  // A huge id must not become a huge store key, and control characters (NUL separates key
  // parts) must not reach a key.
  return value.length <= MAX_ID_LENGTH && !CONTROL.test(value)
    ? prefix + value
    : prefix + 'h:' + sha256(value);
}

// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

/** Reads one cookie without a cookie plugin; malformed cookie headers are ignored. */
export function readCookie(req: ProtectionRequest, name: string): string | undefined {
  return cookieFrom(lowerCaseHeader(req, 'cookie'), name);
}

/** `readCookie` from a `Cookie` header already read. */
function cookieFrom(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** `req.user.id` (string or number) as an auth guard set it, on the framework or the Node request. */
export function userIdOf(req: ProtectionRequest): string | undefined {
  const user = (req.user ?? (rawRequest(req) as { user?: unknown }).user) as
    { id?: unknown } | null | undefined;
  const id = user?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/** The authenticated user (`identity` option, else `req.user.id`) as a key part, if any. */
export function authenticatedIdentity(
  req: ProtectionRequest,
  settings: IdentitySettings,
): string | undefined {
  const custom = settings.custom?.(req);
  if (custom) return bounded('c:', custom);
  const uid = userIdOf(req);
  return uid ? bounded('u:', uid) : undefined;
}

/** The request's session when the library minted it (cookie first, then header), else undefined. */
export function sessionOf(
  req: ProtectionRequest,
  settings: IdentitySettings,
  headers = req.headers,
): string | undefined {
  const keys = settings.sessions;
  const cookie = cookieFrom(headers.cookie, settings.sessionCookie);
  if (cookie !== undefined && keys.verify(cookie)) return cookie;
  const header = firstHeaderValue(headers[settings.sessionHeader]);
  return header !== undefined && keys.verify(header) ? header : undefined;
}

/** The client address key: IPv4 address or IPv6 prefix, after trusted proxies. */
export function clientAddressKey(
  req: ProtectionRequest,
  settings: IdentitySettings,
  headers = req.headers,
): string {
  return addressKey(resolveClientIp(req, settings.trust, headers), settings.ipv6Subnet);
}

/**
 * What abuse-facing counters count by (rate limits by identity, the CAPTCHA free pass): the
 * authenticated user, else the client address key; never a session or a User-Agent, which a
 * client can drop or change for free.
 */
export function abuseKey(req: ProtectionRequest, settings: IdentitySettings): string {
  return authenticatedIdentity(req, settings) ?? 'a:' + clientAddressKey(req, settings);
}

/** The client identity; the address + User-Agent case is hashed. */
export function resolveIdentity(req: ProtectionRequest, settings: IdentitySettings): string {
  const material = identityMaterial(req, settings);
  return material.startsWith('a:') ? 'a:' + sha256(material.slice(2)) : material;
}

/**
 * What the identity is made of, before the address + User-Agent case is hashed: for callers that
 * hash it into a key of their own anyway (one hash instead of two). A client-sent session never
 * outranks an authenticated user.
 */
export function identityMaterial(req: ProtectionRequest, settings: IdentitySettings): string {
  const user = authenticatedIdentity(req, settings);
  if (user) return user;
  // The headers once: on Fastify `headers` is a getter.
  const headers = req.headers;
  const session = sessionOf(req, settings, headers);
  if (session) return 's:' + session;
  return 'a:' + clientAddressKey(req, settings, headers) + '\n' + (headers['user-agent'] ?? '');
}
