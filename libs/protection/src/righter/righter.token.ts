import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * Token = base64url(version | iv(12) | ciphertext | tag(16)), AES-256-GCM with a key derived
 * from the secret by HKDF-SHA256 and a random IV per token: the client can neither read nor
 * change what it carries. The version byte is also the additional authenticated data.
 */

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = Buffer.from([VERSION]);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Largest token accepted (8 KiB); longer ones are refused before any work. */
export const MAX_TOKEN_LENGTH = 8192;

/** What a token carries. */
export interface RighterPayload {
  /** The data handed to `allow()`. */
  d: unknown;
  /** Issued at, ms since epoch. */
  iat: number;
  /** Expires at, ms since epoch. */
  exp: number;
  /** Client identity it was issued to. */
  sub: string;
  /** Route scope. */
  scp: string;
  /** Token id (for single use). */
  jti: string;
}

/** Derives the 256-bit key for a secret. */
export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'nest-protection', 'righter v1', 32));
}

export function sealToken(payload: RighterPayload, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(HEADER);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([HEADER, iv, body, cipher.getAuthTag()]).toString('base64url');
}

function isPayload(value: unknown): value is RighterPayload {
  const p = value as Partial<RighterPayload> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    'd' in p &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    typeof p.sub === 'string' &&
    typeof p.scp === 'string' &&
    typeof p.jti === 'string'
  );
}

/** The payload if `token` was sealed by one of `keys` and is intact; null for anything else. */
export function openToken(token: string, keys: readonly Buffer[]): RighterPayload | null {
  if (token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  // The decoder ignores trailing bits, so an appended character would still decode: only
  // the exact encoding of the bytes is accepted.
  if (raw.toString('base64url') !== token) return null;
  if (raw.length < 1 + IV_BYTES + TAG_BYTES + 1 || raw[0] !== VERSION) return null;
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(HEADER);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      const payload: unknown = JSON.parse(plain);
      return isPayload(payload) ? payload : null;
    } catch {
      // wrong key or tampered: try the next key
    }
  }
  return null;
}
