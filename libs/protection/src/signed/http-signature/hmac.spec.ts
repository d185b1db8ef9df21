import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hmacSha256 } from './hmac';

/* The one-shot HMAC against Node's createHmac. */

describe('hmacSha256', () => {
  it('equals createHmac for keys of every length around the block size and any message', () => {
    for (const length of [0, 1, 31, 32, 63, 64, 65, 100, 200]) {
      for (let i = 0; i < 20; i++) {
        const key = randomBytes(length);
        const message = randomBytes(i * 7).toString('latin1') + 'ünïcode ✓';
        assert.deepEqual(
          hmacSha256(key, message),
          createHmac('sha256', key).update(message, 'utf8').digest(),
          `key of ${length} bytes`,
        );
      }
    }
  });

  it('keys a string by its UTF-8 bytes, apart from a byte key of the same text', () => {
    const secret = 'sécret-0123456789-0123456789-0123456789';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update('m').digest();
    assert.deepEqual(hmacSha256(secret, 'm'), expected);
    assert.deepEqual(
      hmacSha256(Buffer.from(secret, 'latin1'), 'm'),
      createHmac('sha256', Buffer.from(secret, 'latin1')).update('m').digest(),
    );
    assert.deepEqual(hmacSha256(secret, 'm'), expected);
  });

  it('stays right when its pad cache is cleared by many keys', () => {
    for (let i = 0; i < 2100; i++) {
      const key = Buffer.from(`key-${i}`);
      assert.deepEqual(hmacSha256(key, 'm'), createHmac('sha256', key).update('m').digest());
    }
  });
});
