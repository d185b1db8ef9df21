import type { IncomingHttpHeaders } from 'node:http';
import { rightToLeft, singleValue, type ForwardingFormat } from './forwarded-header';
import { rawRequest } from './http.adapter';
import type { ProtectionRequest } from './http.types';
import { isPlainObject, type OptionReader } from './option-reader';
import {
  addressKey as keyOfAddress,
  addressMatcher,
  canonicalIp as canonical,
  isAddressOrCidr as addressOrCidr,
  perAddress,
} from './ip-address';

export type { ForwardingFormat } from './forwarded-header';

// Plain values, not `export ... from`: a re-export compiles to a getter, and an exports object
// with getters makes every `resolveClientIp` call from another module slower.
export const addressKey = keyOfAddress;
export const canonicalIp = canonical;
export const isAddressOrCidr = addressOrCidr;

/**
 * Which socket peers are proxies: `true` every peer, `false` none, a number that many hops
 * (the socket peer is the first), or a list of addresses and CIDRs.
 */
export type TrustedProxies = boolean | number | readonly string[];

/**
 * `trustProxy`: the proxies alone (their header is `x-forwarded-for`), or `{ proxies, header }`
 * to read RFC 7239 `forwarded` or a single-value header such as `x-real-ip` instead.
 */
export type TrustProxyOption =
  TrustedProxies | { readonly proxies?: TrustedProxies; readonly header?: string };

/** Loopback only: a proxy on another host must be named. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.0/8', '::1'];

/** Compiled form of `TrustProxyOption`, built once at boot. */
export interface ProxyTrust {
  /** The forwarding header read, in lower case. */
  readonly header: string;
  readonly format: ForwardingFormat;
  /** The hop count, or null when proxies are known by address. */
  readonly hops: number | null;
  /** Whether a canonical address is a trusted proxy (or, for a permit list, on the list). */
  isTrusted(ip: string): boolean;
  /** Whether a socket peer (as Node reports it) may name the client. */
  trustsPeer(remoteAddress: string | undefined): boolean;
  /** Whether the request carries the forwarding header: without it the client is the peer. */
  forwardedBy(headers: IncomingHttpHeaders): boolean;
}

const XFF = 'x-forwarded-for';
// An HTTP token (RFC 9110): what a header name may be.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/** The socket peer, canonical. */
const peerIp = perAddress((remote) => canonicalIp(remote) || '0.0.0.0');

function isTrustObject(
  option: TrustProxyOption | undefined,
): option is { readonly proxies?: TrustedProxies; readonly header?: string } {
  return typeof option === 'object' && option !== null && !Array.isArray(option);
}

/** Compiles `trustProxy` (or a permit list); throws on an entry that is not an address or CIDR. */
export function compileProxyTrust(option: TrustProxyOption | undefined): ProxyTrust {
  const proxies = isTrustObject(option) ? option.proxies : option;
  const header = (isTrustObject(option) ? option.header : undefined)?.toLowerCase() ?? XFF;
  const format: ForwardingFormat =
    header === XFF ? XFF : header === 'forwarded' ? 'forwarded' : 'single';
  let hops: number | null = null;
  let isTrusted: (ip: string) => boolean;
  if (proxies === true) isTrusted = () => true;
  else if (proxies === false) isTrusted = () => false;
  else if (typeof proxies === 'number') {
    hops = proxies;
    isTrusted = () => false;
  } else {
    isTrusted = addressMatcher(proxies ?? DEFAULT_TRUSTED_PROXIES);
  }
  const peerTrusted = hops === null ? isTrusted : hops > 0 ? () => true : () => false;
  return Object.freeze({
    header,
    format,
    hops,
    isTrusted,
    trustsPeer: (remote: string | undefined) => peerTrusted(remote ? peerIp(remote) : '0.0.0.0'),
    forwardedBy: (headers: IncomingHttpHeaders) => headers[header] !== undefined,
  });
}

/**
 * The `trustProxy` module option, validated and compiled: `true`, `false`, a hop count, a list
 * of addresses/CIDRs, or `{ proxies?, header? }`.
 */
export function readTrustProxy(r: OptionReader, value: unknown): ProxyTrust {
  if (!isPlainObject(value)) return compileProxyTrust(readProxies(r, 'trustProxy', value));
  const v = r.object('trustProxy', value, ['proxies', 'header'] as const, '{ proxies?, header? }');
  const proxies = readProxies(r, 'trustProxy.proxies', v.proxies);
  let header: string | undefined;
  if (v.header !== undefined) {
    if (typeof v.header !== 'string' || !TOKEN.test(v.header))
      r.fail(
        'trustProxy.header',
        v.header,
        `a header name such as 'x-forwarded-for' (the default), 'forwarded' or 'x-real-ip'`,
      );
    header = v.header.toLowerCase();
  }
  return compileProxyTrust({ proxies, header });
}

function readProxies(r: OptionReader, path: string, value: unknown): TrustedProxies | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') return r.int(path, value, 0, 0, 32);
  if (Array.isArray(value)) {
    if (!value.every(isAddressOrCidr))
      r.fail(path, value, 'IP addresses or CIDRs such as "10.0.0.0/8"');
    return Object.freeze([...value]);
  }
  return r.fail(
    path,
    value,
    path === 'trustProxy'
      ? 'true, false, a hop count, a list of addresses/CIDRs, or { proxies?, header? }'
      : 'true, false, a hop count, or a list of addresses/CIDRs',
  );
}

/**
 * The client address, canonical. The socket peer, unless it is a trusted proxy and the request
 * carries the configured forwarding header: then the header read from the right, past trusted
 * proxies, up to the first untrusted address. A header from an untrusted peer is ignored, and
 * only the configured header is ever read.
 */
export function resolveClientIp(
  req: ProtectionRequest,
  trust: ProxyTrust,
  headers: IncomingHttpHeaders = req.headers,
): string {
  const remote = rawRequest(req).socket?.remoteAddress;
  const peer = remote ? peerIp(remote) : '0.0.0.0';
  // Most requests carry no forwarding header: then the trust check is moot.
  const value = headers[trust.header];
  if (value === undefined) return peer;
  if (trust.hops === null ? !trust.isTrusted(peer) : trust.hops === 0) return peer;
  return trust.format === 'single'
    ? singleValue(peer, value, trust.header)
    : rightToLeft(peer, value, trust);
}
