import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: Buffer, encoding: 'buffer') => Buffer;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

const BLOCK = 64;
/** Pads of recent keys: service keys repeat on every request; page keys come and go. */
const pads = new Map<string, readonly [Buffer, Buffer]>();
const MAX_PADS = 1024;

/**
 * HMAC-SHA256 (RFC 2104) keyed with `key` (a string: its UTF-8 bytes) from two one-shot SHA-256 calls over the key's padded blocks. Node's
 * `createHmac` builds a native Hmac object for every request, which costs more than the two
 * hashes themselves; the tests check this against `createHmac` on many keys and messages.
 */
export function hmacSha256(key: Buffer | string, message: string): Buffer {
  if (!oneShot) return crypto.createHmac('sha256', bytesOf(key)).update(message, 'utf8').digest();
  // A string key is its UTF-8 bytes; a byte key gets a distinct cache name.
  const id = typeof key === 'string' ? key : '\0' + key.toString('latin1');
  let pad = pads.get(id);
  if (pad === undefined) {
    if (pads.size >= MAX_PADS) pads.clear();
    pads.set(id, (pad = padsOf(bytesOf(key), oneShot)));
  }
  const inner = oneShot('sha256', Buffer.concat([pad[0], Buffer.from(message, 'utf8')]), 'buffer');
  return oneShot('sha256', Buffer.concat([pad[1], inner], BLOCK + 32), 'buffer');
}

function bytesOf(key: Buffer | string): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

function padsOf(key: Buffer, hash: OneShotHash): readonly [Buffer, Buffer] {
  const k = key.length > BLOCK ? hash('sha256', key, 'buffer') : key;
  const inner = Buffer.alloc(BLOCK, 0x36);
  const outer = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < k.length; i++) {
    inner[i] = (inner[i] as number) ^ (k[i] as number);
    outer[i] = (outer[i] as number) ^ (k[i] as number);
  }
  return [inner, outer];
}
