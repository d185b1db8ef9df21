import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../core/hash';
import type { SignatureErrorCode } from './http-signature.types';
import { parseBytesDictionary, type SfLimits } from './structured-fields';

const DIGEST_LIMITS: SfLimits = { members: 16, items: 0, params: 16 };
const MAX_DIGEST_HEADER = 8192;

/** The Content-Digest value (RFC 9530) of `body`: 'sha-256=:<base64>:'. */
export function contentDigest(body: Buffer | string): string {
  return 'sha-256=:' + Buffer.from(sha256(body), 'base64url').toString('base64') + ':';
}

/**
 * Checks Content-Digest against `body`: the header must be a dictionary of byte sequences
 * (RFC 9530) whose `sha-256` member equals SHA-256 of the body. Other algorithms are ignored;
 * no `sha-256`, a missing or malformed header: DIGEST_MISMATCH. Null when it matches.
 */
export function checkContentDigest(
  header: string | undefined,
  body: Buffer,
): SignatureErrorCode | null {
  if (typeof header !== 'string' || header.length > MAX_DIGEST_HEADER) return 'DIGEST_MISMATCH';
  const members = parseBytesDictionary(header, DIGEST_LIMITS);
  if (typeof members === 'string') return 'DIGEST_MISMATCH';
  const member = members.find((m) => m.key === 'sha-256');
  if (!member) return 'DIGEST_MISMATCH';
  const given = Buffer.from(member.base64, 'base64');
  const expected = Buffer.from(sha256(body), 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : 'DIGEST_MISMATCH';
}
