import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from './hash';

/** `<22 chars of 128 random bits>.<22 chars of its HMAC>`: what `mint()` makes. */
const SESSION_LENGTH = 45;
const SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;
/** Verified sessions remembered (a client sends its session on every request). */
const VERIFIED_CACHE = 4096;

/**
 * Sessions the library mints and signs with the module secret. A value it did not mint
 * (forged, foreign, truncated) does not verify, so a client cannot choose its session: it can
 * only drop one, and then it is a sessionless client again.
 */
export class SessionKeys {
  private keys: readonly Buffer[] | null = null;
  private verified = new Set<string>();

  constructor(secrets: readonly string[] | null) {
    if (secrets) this.use(secrets);
  }

  /** True once a secret is known (configured, or loaded from the store at startup). */
  get ready(): boolean {
    return this.keys !== null;
  }

  /** Sets the secrets: the first signs, every one verifies (rotation). */
  use(secrets: readonly string[]): void {
    this.keys = secrets.map((s) =>
      Buffer.from(sha256(`nest-protection session key\n${s}`), 'base64url'),
    );
    this.verified = new Set();
  }

  /** A new session; throws when no secret is known yet. */
  mint(): string {
    const key = this.keys?.[0];
    if (!key) throw new Error('nest-protection: the session secret is not loaded yet');
    const id = randomBytes(16).toString('base64url');
    return id + '.' + mac(key, id).toString('base64url');
  }

  /** True for a session this module (or one sharing its secret) minted. */
  verify(value: string): boolean {
    if (value.length !== SESSION_LENGTH || !this.keys) return false;
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
