import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from './hash';

/** `<22 chars of 128 random bits>.<22 chars of its HMAC>`: what `mint()` makes. */
const SESSION_LENGTH = 45;
const SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;
/** Verified ids remembered (a client sends its session or ticket on every request). */
const VERIFIED_CACHE = 4096;

/**
 * Ids the library mints and signs with the module secret, for one purpose (sessions, CAPTCHA
 * tickets): 128 random bits and an HMAC tag. A value it did not mint (forged, foreign,
 * truncated, or minted for another purpose) does not verify, so a client cannot choose one: it
 * can only drop it. Verified without a store lookup.
 */
export class SignedIds {
  private readonly keys: readonly Buffer[];
  private verified = new Set<string>();

  /** `secrets`: the first signs, every one verifies (rotation); `purpose` separates the keys. */
  constructor(secrets: readonly string[], purpose: string) {
    this.keys = secrets.map((s) =>
      Buffer.from(sha256(`nest-protection ${purpose} key\n${s}`), 'base64url'),
    );
  }

  /** A new id. */
  mint(): string {
    const key = this.keys[0] as Buffer;
    const id = randomBytes(16).toString('base64url');
    return id + '.' + mac(key, id).toString('base64url');
  }

  /** True for an id this module (or one sharing its secret) minted for this purpose. */
  verify(value: string): boolean {
    if (value.length !== SESSION_LENGTH) return false;
    if (this.verified.has(value)) return true;
    if (!SHAPE.test(value)) return false;
    const id = value.slice(0, 22);
    // Compared as text: decoding would accept other spellings of the last character (its low
    // bits carry no data), so one session would have several valid forms.
    const given = Buffer.from(value.slice(23), 'latin1');
    const valid = this.keys.some((key) =>
      timingSafeEqual(Buffer.from(mac(key, id).toString('base64url'), 'latin1'), given),
    );
    if (!valid) return false;
    // Only good values are remembered: forged ones are what an attacker can send in bulk.
    if (this.verified.size >= VERIFIED_CACHE) this.verified = new Set();
    this.verified.add(value);
    return true;
  }
}

function mac(key: Buffer, id: string): Buffer {
  return createHmac('sha256', key).update(id).digest().subarray(0, 16);
}
