import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContentDigest, contentDigest } from './content-digest';

// RFC 9530's example content: the JSON object {"hello": "world"} followed by an LF.
const HELLO = Buffer.from('{"hello": "world"}\n');
const HELLO_SHA256 = 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:';
const HELLO_SHA512 =
  'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:';

describe('contentDigest', () => {
  it('computes the RFC 9530 sha-256 values', () => {
    assert.equal(contentDigest(HELLO), HELLO_SHA256);
    assert.equal(contentDigest(HELLO.toString()), HELLO_SHA256, 'a string is hashed as UTF-8');
    // The empty content (RFC 9530's HEAD response example).
    assert.equal(contentDigest(''), 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    // RFC 9421's test-request content (18 bytes, no LF).
    assert.equal(
      contentDigest('{"hello": "world"}'),
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    );
  });
});

describe('checkContentDigest', () => {
  it('accepts a matching sha-256 member, alone or among others', () => {
    assert.equal(checkContentDigest(HELLO_SHA256, HELLO), null);
    assert.equal(checkContentDigest(`${HELLO_SHA512}, ${HELLO_SHA256}`, HELLO), null);
    assert.equal(checkContentDigest(`${HELLO_SHA256};x=1,\tunknown-alg=:AAAA:`, HELLO), null);
    // Without padding, as RFC 8941 lets a parser accept.
    assert.equal(checkContentDigest(HELLO_SHA256.slice(0, -2) + ':', HELLO), null);
  });

  it('refuses a wrong, absent or malformed digest', () => {
    const wrong = Buffer.from('{"hello": "world!"}\n');
    for (const header of [
      undefined,
      '',
      HELLO_SHA512, // only another algorithm
      'SHA-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:', // keys are lower case
      'sha-256=RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=', // a token, not bytes
      'sha-256="RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg="',
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=', // unterminated
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:,', // trailing comma
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8Fab:', // truncated digest
      'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP_lF5HF9bvEF8FabDg=:', // base64url is not base64
      `${HELLO_SHA256}, sha-256=:AAAA:`, // a later duplicate wins
      'sha-256=:' + 'A'.repeat(9000) + ':',
    ]) {
      assert.equal(checkContentDigest(header, HELLO), 'DIGEST_MISMATCH', String(header));
    }
    assert.equal(checkContentDigest(HELLO_SHA256, wrong), 'DIGEST_MISMATCH');
    assert.equal(checkContentDigest(HELLO_SHA256, Buffer.alloc(0)), 'DIGEST_MISMATCH');
  });
});
