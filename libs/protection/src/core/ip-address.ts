import { BlockList, isIP } from 'node:net';

/*
 * IP addresses in one canonical form (what trust checks, permit lists and counters compare),
 * client address keys, and address/CIDR lists.
 */

/** Addresses remembered by `perAddress`. */
const VERDICT_CACHE_SIZE = 4096;

/** Valid IPv6 text, canonical: remembered, since the same clients come again and again. */
const canonicalIpv6 = perAddress((ip) => formatIpv6(hextets(ip)));

/**
 * An IP address in canonical form, '' when `value` is not one: IPv6 as RFC 5952 writes it
 * (lower case, the longest run of zero groups as `::`), IPv4-mapped IPv6 as IPv4, zone id
 * dropped; surrounding spaces and `[]` are tolerated.
 */
export function canonicalIp(value: string | undefined): string {
  if (!value) return '';
  let ip = value.trim();
  if (ip.length > 2 && ip.charCodeAt(0) === 0x5b && ip.charCodeAt(ip.length - 1) === 0x5d)
    ip = ip.slice(1, -1);
  const zone = ip.indexOf('%');
  if (zone >= 0) {
    if (zone === ip.length - 1) return '';
    ip = ip.slice(0, zone);
    if (isIP(ip) !== 6) return '';
  }
  const family = isIP(ip);
  // Node accepts only canonical dotted quads (no leading zeros), so IPv4 is already canonical.
  if (family === 4) return ip;
  return family === 6 ? canonicalIpv6(ip) : '';
}

/** The 8 groups of a valid IPv6 address (embedded IPv4 included). */
function hextets(ip: string): number[] {
  const gap = ip.indexOf('::');
  const head = groups(gap < 0 ? ip : ip.slice(0, gap));
  if (gap < 0) return head;
  const tail = groups(ip.slice(gap + 2));
  while (head.length + tail.length < 8) head.push(0);
  return head.concat(tail);
}

function groups(part: string): number[] {
  const out: number[] = [];
  if (part === '') return out;
  for (const group of part.split(':')) {
    if (group.includes('.')) {
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      out.push((a << 8) | b, (c << 8) | d);
    } else {
      out.push(parseInt(group, 16));
    }
  }
  return out;
}

/** RFC 5952 text of 8 groups; IPv4-mapped ones as the IPv4 address. */
function formatIpv6(h: readonly number[]): string {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = h;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff)
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  // The longest run of at least two zero groups; the first one on a tie.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (part: readonly number[]): string => part.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(h);
  return hex(h.slice(0, best)) + '::' + hex(h.slice(best + bestLength));
}

/**
 * `compute` remembered per address: the same few clients and peers ask again and again. The
 * map is bounded: dropped and rebuilt when it fills up.
 */
export function perAddress<T>(compute: (address: string) => T): (address: string) => T {
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

/** Address keys per IPv6 prefix length (a handful of lengths at most). */
const keyers = new Map<number, (ip: string) => string>();

/**
 * The key a client is counted by: an IPv4 address as is, an IPv6 address cut to its
 * `/ipv6Subnet` prefix (`2001:db8:cc::/64`): one host holds a whole /64, so counting single
 * IPv6 addresses would give it billions of budgets. With 128, the address itself.
 */
export function addressKey(ip: string, ipv6Subnet = 64): string {
  if (!ip.includes(':')) return ip;
  let keyOf = keyers.get(ipv6Subnet);
  if (!keyOf) {
    if (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 48 || ipv6Subnet > 128)
      throw new RangeError(`ipv6Subnet must be a whole number from 48 to 128, not ${ipv6Subnet}`);
    keyOf = perAddress((address) => prefixOf(address, ipv6Subnet));
    keyers.set(ipv6Subnet, keyOf);
  }
  return keyOf(ip);
}

function prefixOf(address: string, bits: number): string {
  const ip = canonicalIp(address);
  if (!ip) return address;
  if (!ip.includes(':') || bits >= 128) return ip;
  const h = hextets(ip);
  for (let i = 0; i < 8; i++) {
    const keep = Math.min(16, Math.max(0, bits - i * 16));
    h[i] = keep === 0 ? 0 : (h[i] ?? 0) & ((0xffff << (16 - keep)) & 0xffff);
  }
  return `${formatIpv6(h)}/${bits}`;
}

interface Rule {
  readonly network: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** An address or CIDR list entry, canonical; null when it is neither. */
function parseRule(entry: string): Rule | null {
  const slash = entry.indexOf('/');
  const text = slash < 0 ? entry : entry.slice(0, slash);
  const network = canonicalIp(text);
  if (!network) return null;
  const family = network.includes(':') ? 'ipv6' : 'ipv4';
  const written = text.includes(':') ? 128 : 32;
  let prefix = written;
  if (slash >= 0) {
    const bits = entry.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > written) return null;
    prefix = Number(bits);
  }
  if (family === 'ipv4' && written === 128) {
    // An IPv4-mapped network: its IPv4 part, since addresses are compared as IPv4.
    if (prefix < 96) return null;
    prefix -= 96;
  }
  return { network, prefix, family };
}

/** Whether `entry` is an IP address or a CIDR (`10.0.0.0/8`, `2001:db8::/32`). */
export function isAddressOrCidr(entry: unknown): entry is string {
  return typeof entry === 'string' && parseRule(entry) !== null;
}

/** A matcher over addresses and CIDRs; throws on an entry that is neither. */
export function addressMatcher(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const rule = parseRule(entry);
    if (!rule) throw new TypeError(`Not an IP address or CIDR: ${JSON.stringify(entry)}`);
    list.addSubnet(rule.network, rule.prefix, rule.family);
    // IPv4 clients arrive as IPv4-mapped IPv6 on a dual-stack socket and are compared as IPv4:
    // an IPv6 network holding the mapped range holds every IPv4 address.
    if (rule.family === 'ipv6' && rule.prefix <= 96 && containsMapped(rule))
      list.addSubnet('0.0.0.0', 0, 'ipv4');
  }
  // BlockList.check builds a SocketAddress per call (about as much as the rest of an unannotated
  // request costs): the permit list asks it on every request, so each verdict is kept.
  return perAddress((address) => {
    const ip = canonicalIp(address);
    if (!ip) return false;
    return list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  });
}

function containsMapped(rule: Rule): boolean {
  const one = new BlockList();
  one.addSubnet(rule.network, rule.prefix, 'ipv6');
  return one.check('::ffff:0:0', 'ipv6');
}
