import type { RouteDocs } from '../core/swagger';
import { SIGNED_REFUSALS } from './signed.exception';

/** Name of the OpenAPI security scheme signed routes require (add `SIGNED_SECURITY_SCHEME` under it). */
export const SIGNED_SECURITY = 'httpSignature';

/**
 * The OpenAPI security scheme of signed routes, for `DocumentBuilder.addSecurity(SIGNED_SECURITY,
 * SIGNED_SECURITY_SCHEME)`: OpenAPI has no type for HTTP Message Signatures, so it is described
 * as the `Signature` header it travels in.
 */
export const SIGNED_SECURITY_SCHEME = Object.freeze({
  type: 'apiKey' as const,
  in: 'header' as const,
  name: 'Signature',
  description:
    'HTTP Message Signatures (RFC 9421), hmac-sha256: `Signature-Input` names the covered ' +
    'components ("@method" "@path", "@query" when there is a query, "content-digest" when ' +
    'there is a body) and the parameters created, keyid and nonce; `Signature` carries the MAC.',
});

/** Swagger for a signed route: the scheme, the signature headers and the 401. */
export function signedDocs(browser: boolean): RouteDocs {
  return {
    security: [SIGNED_SECURITY],
    requestHeaders: [
      {
        name: 'Signature-Input',
        description: browser
          ? 'Added by the page signing script; internal callers: their service key'
          : 'Covered components and parameters (created, keyid, nonce), RFC 9421',
        required: false,
      },
      { name: 'Signature', description: 'The hmac-sha256 signature, RFC 9421', required: false },
      {
        name: 'Content-Digest',
        description: 'sha-256 of the body (RFC 9530); required when the request has a body',
        required: false,
      },
    ],
    responses: [
      {
        status: 401,
        description:
          'SIGNATURE_MISSING, SIGNATURE_INVALID, SIGNATURE_EXPIRED, SIGNATURE_REPLAYED or DIGEST_MISMATCH',
        schema: SIGNED_REFUSALS.SIGNATURE_INVALID.schema(),
      },
    ],
  };
}

/** Swagger for a `@SignPage()` page: the key cookie it sets. */
export function signPageDocs(): RouteDocs {
  return {
    successHeaders: {
      'Set-Cookie': {
        description: 'The page signing key (`np_sign=<keyid>~<key>`), read by the signing script',
        type: 'string',
      },
      'Cache-Control': {
        description: 'no-store: the page carries a per-session key',
        type: 'string',
      },
    },
  };
}
