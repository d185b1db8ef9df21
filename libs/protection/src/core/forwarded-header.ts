import { Logger } from '@nestjs/common';
import { isIP } from 'node:net';
import { canonicalIp } from './ip-address';

/*
 * Reading the client address out of a forwarding header sent by a trusted proxy. Only the
 * right end of a list is ever looked at: the left part is whatever the client wrote.
 */

/** How the forwarding header is read: a list (right to left), or one value. */
export type ForwardingFormat = 'x-forwarded-for' | 'forwarded' | 'single';

/** What reading a forwarding header needs of the trust settings. */
export interface HeaderTrust {
  readonly header: string;
  readonly format: ForwardingFormat;
  readonly hops: number | null;
  isTrusted(ip: string): boolean;
}

/**
 * Longest list entry (spaces and quotes included) that can hold an address with a port and a
 * zone; longer ones are not addresses and are never sliced out of a huge header.
 */
const MAX_ENTRY = 256;
/** Longest RFC 7239 element (`for`, `by`, `host`, `proto` and extensions). */
const MAX_ELEMENT = 2048;
const PORT = /^:(?:\d{1,5}|_[A-Za-z0-9._-]{1,64})$/;

const logger = new Logger('Protection');
let warned = false;

/** Once per process: a misconfigured proxy would otherwise log on every request. */
function warnOnce(header: string): void {
  if (warned) return;
  warned = true;
  logger.warn(
    `A trusted proxy sent a "${header}" header without a client address where one was expected; ` +
      'the nearest trusted address counts as the client. Check the proxy and the trustProxy ' +
      'option (logged once).',
  );
}

/** The client named by a single-value header (`x-real-ip`) from a trusted peer. */
export function singleValue(peer: string, value: string | string[], header: string): string {
  // Two lines of a single-value header: the proxy's and a client's; which is which is unknown.
  const text = typeof value === 'string' ? value : value.length === 1 ? value[0] : undefined;
  if (text === undefined) {
    warnOnce(header);
    return peer;
  }
  const ip = entryIp(text, 0, text.length);
  if (ip) return ip;
  if (text.trim() !== '') warnOnce(header);
  return peer;
}

/**
 * The list walked from its right end (`lastIndexOf`, never a split): the cost is that of the
 * entries up to the client, however long the part the client wrote. Several header lines are
 * one list, the last line rightmost.
 */
export function rightToLeft(peer: string, value: string | string[], trust: HeaderTrust): string {
  const read = trust.format === 'forwarded' ? forwardedFor : entryIp;
  const hops = trust.hops;
  const lines = typeof value === 'string' ? [value] : value;
  // The nearest address vouched for so far: the peer, then each trusted entry.
  let last = peer;
  let hop = 0;
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k] ?? '';
    let end = line.length;
    for (;;) {
      const comma = end > 0 ? line.lastIndexOf(',', end - 1) : -1;
      const ip = read(line, comma + 1, end);
      hop++;
      if (ip === '') {
        // An empty header says nothing, like no header; anything else is a proxy's mistake.
        if (hop > 1 || !blank(lines)) warnOnce(trust.header);
        return last;
      }
      if (hops === null ? !trust.isTrusted(ip) : hop >= hops) return ip;
      last = ip;
      if (comma < 0) break;
      end = comma;
    }
  }
  // Every entry is a trusted proxy: the leftmost is the client.
  return last;
}

function blank(lines: readonly string[]): boolean {
  return lines.every((line) => line.trim() === '');
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** The canonical address of a list entry `s[start, end)`, '' when it holds none. */
function entryIp(s: string, start: number, end: number): string {
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  if (end - start > MAX_ENTRY || end === start) return '';
  return addressOf(s.slice(start, end));
}

/** `IP`, `IP:port`, `[IPv6]`, `[IPv6]:port`, maybe quoted; '' for anything else. */
function addressOf(entry: string): string {
  let s = entry;
  if (s.length >= 2 && s.charCodeAt(0) === 0x22 && s.charCodeAt(s.length - 1) === 0x22)
    s = s.slice(1, -1).trim();
  if (s.charCodeAt(0) === 0x5b) {
    const close = s.indexOf(']');
    if (close < 0 || (close + 1 < s.length && !PORT.test(s.slice(close + 1)))) return '';
    return canonicalIp(s.slice(1, close));
  }
  const colon = s.indexOf(':');
  if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
    // One colon: IPv4 and a port (an IPv6 address has at least two).
    const host = s.slice(0, colon);
    return PORT.test(s.slice(colon)) && isIP(host) === 4 ? host : '';
  }
  return canonicalIp(s);
}

/** The `for=` address of an RFC 7239 element `s[start, end)`, '' when it holds none. */
function forwardedFor(s: string, start: number, end: number): string {
  if (end - start > MAX_ELEMENT) return '';
  for (const pair of s.slice(start, end).split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    const value = pair.slice(eq + 1);
    return entryIp(value, 0, value.length);
  }
  return '';
}
