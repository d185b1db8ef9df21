import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Client tickets are issued by the server: 16 random bytes and an HMAC-SHA256 tag over them,
 * so an invented ticket is recognised without a store lookup and treated as no ticket.
 */

const TICKET = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

function tag(key: Buffer, id: string): Buffer {
  return createHmac('sha256', key).update(id).digest().subarray(0, 16);
}

export function issueTicket(key: Buffer): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${tag(key, id).toString('base64url')}`;
}

export function verifyTicket(ticket: string | undefined, key: Buffer): boolean {
  if (!ticket || ticket.length !== 45) return false;
  const m = TICKET.exec(ticket);
  if (!m) return false;
  const given = Buffer.from(m[2] as string, 'base64url');
  // The last base64url character carries spare bits: only the exact encoding counts, so one
  // ticket cannot be spelt several ways (each spelling would get its own image budget).
  if (
    given.toString('base64url') !== m[2] ||
    Buffer.from(m[1] as string, 'base64url').toString('base64url') !== m[1]
  ) {
    return false;
  }
  return given.length === 16 && timingSafeEqual(given, tag(key, m[1]));
}
