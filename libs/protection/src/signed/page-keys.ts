import { createHmac, randomBytes } from 'node:crypto';
import { PAGE_KEY_PREFIX } from './signed.options';

/** A page's signing material, as its script reads it from the cookie. */
export interface PageKey {
  readonly keyid: string;
  readonly key: string;
}

/**
 * Page keys are derived, never stored: the key id carries the expiry and a random part, and the
 * key is an HMAC of the key id and the client's identity under the module secret. Nothing a
 * store reader could take, and a key copied to another session does not verify there.
 */
export function mintPageKey(
  secret: string,
  identity: string,
  ttlSeconds: number,
  nowMs: number,
): PageKey {
  const expires = Math.floor(nowMs / 1000) + ttlSeconds;
  const keyid = `${PAGE_KEY_PREFIX}${expires.toString(36)}.${randomBytes(12).toString('base64url')}`;
  return { keyid, key: derive(secret, keyid, identity) };
}

/** The keys `keyid` may have been minted with (one per module secret), or 'expired' / null (not a page key id). */
export function pageKeysFor(
  secrets: readonly string[],
  keyid: string,
  identity: string,
  nowMs: number,
): string[] | 'expired' | null {
  const match = /^page\.([0-9a-z]{1,8})\.[\w-]{16}$/.exec(keyid);
  if (!match) return null;
  if (parseInt(match[1]!, 36) * 1000 <= nowMs) return 'expired';
  return secrets.map((s) => derive(s, keyid, identity));
}

function derive(secret: string, keyid: string, identity: string): string {
  return createHmac('sha256', secret)
    .update(`signed-page\n${keyid}\n${identity}`)
    .digest('base64url');
}
