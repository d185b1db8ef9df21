import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { resolveClientIp, type ProxyTrust } from './client-ip';
import { firstHeaderValue, lowerCaseHeader, rawRequest } from './http.adapter';
import type { ProtectionRequest } from './http.types';

/** How the client identity is found: custom function, session cookie/header, user id, IP + User-Agent. */
export interface IdentitySettings {
  readonly sessionCookie: string;
  /** In lower case. */
  readonly sessionHeader: string;
  readonly trust: ProxyTrust;
  readonly custom?: (req: ProtectionRequest) => string | null | undefined;
}

const MAX_ID_LENGTH = 256;
const MAX_COOKIE_HEADER = 8192;

function bounded(prefix: string, value: string): string {
  // An attacker controls session ids: a huge one must not become a huge store key, and control
  // characters (NUL separates key parts) must not reach a key.
  return value.length <= MAX_ID_LENGTH && !CONTROL.test(value)
    ? prefix + value
    : prefix + 'h:' + sha256(value);
}

// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

export function sha256(value: string | Buffer): string {
  // The one-shot crypto.hash (Node >= 20.12) skips the Hash object: several times cheaper.
  return oneShot
    ? oneShot('sha256', value, 'base64url')
    : createHash('sha256').update(value).digest('base64url');
}

type OneShotHash = (algorithm: string, data: string | Buffer, encoding: 'base64url') => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

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

/**
 * The client identity: the session id (cookie, then header), else the authenticated user id,
 * else a hash of client IP and User-Agent, so sessionless clients never share one key.
 */
export function resolveIdentity(req: ProtectionRequest, settings: IdentitySettings): string {
  const material = identityMaterial(req, settings);
  return material.startsWith('a:') ? 'a:' + sha256(material.slice(2)) : material;
}

/**
 * What the identity is made of, before the IP + User-Agent case is hashed: for callers that
 * hash it into a key of their own anyway (one hash instead of two).
 */
export function identityMaterial(req: ProtectionRequest, settings: IdentitySettings): string {
  const custom = settings.custom?.(req);
  if (custom) return bounded('c:', custom);
  // The headers once: on Fastify `headers` is a getter.
  const headers = req.headers;
  const session =
    cookieFrom(headers.cookie, settings.sessionCookie) ||
    firstHeaderValue(headers[settings.sessionHeader]);
  if (session) return bounded('s:', session);
  const uid = userIdOf(req);
  if (uid) return bounded('u:', uid);
  const ip = resolveClientIp(req, settings.trust, headers);
  return 'a:' + ip + '\n' + (headers['user-agent'] ?? '');
}
