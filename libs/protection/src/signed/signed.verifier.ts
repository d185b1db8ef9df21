import type { TLSSocket } from 'node:tls';
import { rawRequest, requestMethod, requestUrl } from '../core/http.adapter';
import type { ProtectionRequest } from '../core/http.types';
import { identityMaterial, type IdentitySettings } from '../core/identity';
import { addressMatcher } from '../core/ip-address';
import { resolveClientIp } from '../core/client-ip';
import {
  checkContentDigest,
  checkCoverage,
  checkFreshness,
  hmacMatches,
  parseSignatures,
  signatureBase,
  type ParsedSignature,
  type SignedRequestView,
} from './http-signature';
import { pageKeysFor } from './page-keys';
import { rawBodyOf } from './raw-body.tap';
import type { SignedRefusal } from './signed.exception';
import type { SignedAllow, SignedRoute } from './signed-options.interface';
import { PAGE_KEY_PREFIX, type ResolvedSignedOptions } from './signed.options';

/** A verified signature: the nonce still has to be spent. */
export interface VerifiedSignature {
  readonly keyid: string;
  readonly nonce: string;
}

/** What a route admits, worked out once per route. */
export interface RouteAdmission {
  readonly browser: boolean;
  /** Unsigned requests from these addresses pass. */
  readonly internal: ((ip: string) => boolean) | undefined;
  /** Service key ids a browser route accepts. */
  readonly keyids: ReadonlySet<string>;
}

/** A route's admission from its options and the module's `allow`. */
export function admissionOf(route: SignedRoute, settings: ResolvedSignedOptions): RouteAdmission {
  const allow: readonly SignedAllow[] = route.allow ?? settings.allow;
  const cidrs = allow.filter((a): a is string => typeof a === 'string');
  return {
    browser: route.browser,
    internal: cidrs.length ? addressMatcher(cidrs) : undefined,
    keyids: new Set(allow.flatMap((a) => (typeof a === 'string' ? [] : [a.keyid]))),
  };
}

/** One request's verification: the request, its route's admission and the settings. */
export interface Verification {
  readonly req: ProtectionRequest;
  readonly admission: RouteAdmission;
  readonly settings: ResolvedSignedOptions;
  /** The module secrets (page keys are derived from them). */
  readonly secrets: readonly string[];
  readonly identity: IdentitySettings;
  readonly nowMs: number;
}

/** What a verification ends with: a verified signature, a refusal, or null (an internal call). */
export type VerificationOutcome = VerifiedSignature | SignedRefusal | null;
type SignatureOutcome = VerifiedSignature | SignedRefusal;
type Keys = readonly string[] | 'expired' | null;

/**
 * Checks a request against its route: an internal caller passes (null); otherwise the first
 * signature that verifies (keys, coverage, time window, HMAC, then the body's digest), or the
 * refusal of the first one. Nonces are spent by the caller, after this succeeds. Synchronous
 * unless something has to be waited for (a body, a key resolver): a signed GET with keys from
 * the options is decided without a promise.
 */
export function verifyRequest(v: Verification): VerificationOutcome | Promise<VerificationOutcome> {
  const { req, admission, identity } = v;
  const headers = req.headers;
  const input = headers['signature-input'];
  const signature = headers['signature'];
  if (input === undefined && signature === undefined && admission.internal) {
    if (admission.internal(resolveClientIp(req, identity.trust, headers))) return null;
  }
  const parsed = parseSignatures(joined(input), joined(signature));
  if (typeof parsed === 'string') {
    if (admission.internal?.(resolveClientIp(req, identity.trust, headers))) return null;
    return parsed;
  }
  const view = viewOf(req);
  if (parsed.length === 1) return verifyOne(parsed[0] as ParsedSignature, view, v);
  return firstVerified(parsed, view, v);
}

async function firstVerified(
  parsed: readonly ParsedSignature[],
  view: SignedRequestView,
  v: Verification,
): Promise<SignatureOutcome> {
  let first: SignedRefusal | undefined;
  for (const sig of parsed) {
    const outcome = await verifyOne(sig, view, v);
    if (typeof outcome !== 'string') return outcome;
    first ??= outcome;
  }
  return first ?? 'SIGNATURE_INVALID';
}

function verifyOne(
  sig: ParsedSignature,
  view: SignedRequestView,
  v: Verification,
): SignatureOutcome | Promise<SignatureOutcome> {
  const { keyid, nonce } = sig;
  if (!keyid || !nonce || keyid.length > 128 || nonce.length > 128) return 'SIGNATURE_INVALID';
  if (sig.alg !== undefined && sig.alg !== 'hmac-sha256') return 'SIGNATURE_INVALID';
  const keys = keysOf(keyid, v);
  if (keys instanceof Promise || announced(view)) return verifyAfterReading(sig, view, v, keys);
  return verifyWith(sig, view, v, keys, undefined);
}

/** The same, once the key resolver answered and the body is read. */
async function verifyAfterReading(
  sig: ParsedSignature,
  view: SignedRequestView,
  v: Verification,
  pending: Keys | Promise<Keys>,
): Promise<SignatureOutcome> {
  const keys = await pending;
  if (!usable(keys)) return refusalFor(keys);
  const body = announced(view) ? await rawBodyOf(rawRequest(v.req)) : undefined;
  if (body === 'too-large') return 'DIGEST_MISMATCH';
  return verifyWith(sig, view, v, keys, body);
}

function verifyWith(
  sig: ParsedSignature,
  view: SignedRequestView,
  v: Verification,
  keys: Keys,
  body: Buffer | undefined,
): SignatureOutcome {
  if (!usable(keys)) return refusalFor(keys);
  const { req, settings, nowMs } = v;
  view.body = body;
  const uncovered = checkCoverage(sig, view);
  if (uncovered) return uncovered;
  const base = signatureBase(sig, view);
  if (base === 'SIGNATURE_INVALID') return base;
  if (!keys.some((k) => hmacMatches(base, k, sig.signature))) return 'SIGNATURE_INVALID';
  const stale = checkFreshness(sig, Math.floor(nowMs / 1000), settings.window, settings.clockSkew);
  if (stale) return stale;
  if (body && body.length > 0) {
    const digest = checkContentDigest(joined(req.headers['content-digest']), body);
    if (digest) return digest;
  }
  return { keyid: sig.keyid as string, nonce: sig.nonce as string };
}

function usable(keys: Keys): keys is readonly string[] {
  return keys !== null && keys !== 'expired' && keys.length > 0;
}

function refusalFor(keys: Keys): SignedRefusal {
  return keys === 'expired' ? 'SIGNATURE_EXPIRED' : 'SIGNATURE_INVALID';
}

/** The secrets `keyid` may sign with on this route; a promise only from a key resolver. */
function keysOf(keyid: string, v: Verification): Keys | Promise<Keys> {
  const { req, admission, settings, secrets, identity, nowMs } = v;
  if (keyid.startsWith(PAGE_KEY_PREFIX)) {
    if (!admission.browser) return null;
    return pageKeysFor(secrets, keyid, identityMaterial(req, identity), nowMs);
  }
  if (admission.browser && !admission.keyids.has(keyid)) return null;
  const keys = settings.keys;
  if (!keys) return null;
  if (typeof keys !== 'function') return keys.get(keyid) ?? null;
  return Promise.resolve(keys(keyid)).then((found) =>
    found === undefined || found === null ? null : typeof found === 'string' ? [found] : found,
  );
}

function viewOf(req: ProtectionRequest): SignedRequestView {
  let url = requestUrl(req);
  if (!url.startsWith('/')) {
    // An absolute-form target: what is signed is its path and query.
    try {
      const parsed = new URL(url);
      url = parsed.pathname + parsed.search;
    } catch {
      url = '/';
    }
  }
  const q = url.indexOf('?');
  const raw = rawRequest(req);
  const headers = req.headers;
  return {
    method: requestMethod(req),
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    authority: joined(headers.host) ?? '',
    scheme: (raw.socket as Partial<TLSSocket> | null)?.encrypted ? 'https' : 'http',
    header: (name) => joined(headers[name]),
    body: undefined,
  };
}

function announced(view: SignedRequestView): boolean {
  const length = view.header('content-length');
  return length !== undefined ? length !== '0' : view.header('transfer-encoding') !== undefined;
}

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
