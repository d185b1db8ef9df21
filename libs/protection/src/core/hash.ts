import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

type OneShotHash = (algorithm: string, data: string | Buffer, encoding: 'base64url') => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/** SHA-256 in base64url. */
export function sha256(value: string | Buffer): string {
  // The one-shot crypto.hash (Node >= 20.12) skips the Hash object: several times cheaper.
  return oneShot
    ? oneShot('sha256', value, 'base64url')
    : createHash('sha256').update(value).digest('base64url');
}
