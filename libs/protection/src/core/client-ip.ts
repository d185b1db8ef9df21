import { BlockList, isIP } from 'node:net';
import { rawRequest, requestHeader } from './http.adapter';
import type { ProtectionRequest } from './http.types';

/**
 * Which socket peers may speak for the client through `X-Real-IP` / `X-Forwarded-For`:
 * `true` trusts every peer, a number trusts that many proxy hops, a list names addresses or
 * CIDRs. Default: loopback and private ranges.
 */
export type TrustProxyOption = boolean | number | readonly string[];

export const DEFAULT_TRUSTED_PROXIES: readonly string[] = [
  '127.0.0.0/8',
  '::1/128',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fc00::/7',
  'fe80::/10',
];

/** Compiled form of `TrustProxyOption`, built once at boot. */
export interface ProxyTrust {
  readonly hops: number | null;
  isTrusted(ip: string): boolean;
}

const MAX_FORWARDED_LENGTH = 2048;
/** Addresses remembered by `perAddress`. */
const VERDICT_CACHE_SIZE = 4096;

/** `::ffff:1.2.3.4` -> `1.2.3.4`; anything that is not an IP -> ''. */
export function normalizeIp(value: string | undefined): string {
  if (!value) return '';
  let ip = value.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) ? ip : '';
}

/**
 * `compute` remembered per address: the same few clients and peers ask again and again. The
 * map is bounded: dropped and rebuilt when it fills up.
 */
function perAddress<T>(compute: (address: string) => T): (address: string) => T {
  let seen = new Map<string, T>();
  return (address) => {
    let value = seen.get(address);
    if (value === undefined) {
      value = compute(address);
      if (seen.size >= VERDICT_CACHE_SIZE) seen = new Map();
      seen.set(address, value);
    }
    return value;
  };
}

/** The socket peer, normalized. */
const peerIp = perAddress((remote) => normalizeIp(remote) || '0.0.0.0');

export function compileProxyTrust(option: TrustProxyOption | undefined): ProxyTrust {
  if (option === true) return { hops: null, isTrusted: () => true };
  if (option === false) return { hops: null, isTrusted: () => false };
  if (typeof option === 'number') return { hops: option, isTrusted: () => false };
  const list = new BlockList();
  for (const entry of option ?? DEFAULT_TRUSTED_PROXIES) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  // BlockList.check builds a SocketAddress per call (about as much as the rest of an unannotated
  // request costs): the overload permit list asks it on every request, so each verdict is kept.
  const isTrusted = perAddress((ip) => {
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  });
  return { hops: null, isTrusted };
}

/**
 * The client address. Forwarding headers count only when the socket peer is a trusted proxy;
 * then `X-Real-IP`, else the right-most untrusted `X-Forwarded-For` entry. A spoofed header
 * from an untrusted peer is ignored.
 */
export function resolveClientIp(
  req: ProtectionRequest,
  trust: ProxyTrust,
  headers = req.headers,
): string {
  const remote = rawRequest(req).socket?.remoteAddress;
  const peer = remote ? peerIp(remote) : '0.0.0.0';
  // Most requests carry no forwarding header: then the trust check is moot.
  if (headers['x-real-ip'] === undefined && headers['x-forwarded-for'] === undefined) return peer;
  if (trust.hops === null && !trust.isTrusted(peer)) return peer;
  if (trust.hops === 0) return peer;

  const real = normalizeIp(requestHeader(req, 'x-real-ip'));
  if (real && trust.hops === null) return real;

  const forwarded = requestHeader(req, 'x-forwarded-for');
  if (!forwarded || forwarded.length > MAX_FORWARDED_LENGTH) return real || peer;
  const chain = forwarded
    .split(',')
    .map((part) => normalizeIp(part))
    .filter((ip) => ip !== '');
  if (chain.length === 0) return real || peer;

  if (trust.hops !== null) {
    // With N trusted hops the client is the N-th address from the right (peer included).
    return chain[Math.max(0, chain.length - trust.hops)] ?? peer;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = chain[i] as string;
    if (!trust.isTrusted(ip)) return ip;
  }
  return chain[0] ?? peer;
}
