import type { RejectionBody } from '../core/protection.exception';
import { preset, PresetException, type Preset } from '../core/rejection';
import type { SignatureErrorCode } from './http-signature';

/** Why a signed route refused a request: one 401 answer per code. */
export type SignedRefusal = SignatureErrorCode | 'SIGNATURE_REPLAYED';

/** The 401 answers of `@Signed`, by code. */
export const SIGNED_REFUSALS: Readonly<Record<SignedRefusal, Preset>> = Object.freeze({
  SIGNATURE_MISSING: preset(401, 'SIGNATURE_MISSING', 'this route needs a signed request'),
  SIGNATURE_INVALID: preset(401, 'SIGNATURE_INVALID', 'the request signature does not verify'),
  SIGNATURE_EXPIRED: preset(
    401,
    'SIGNATURE_EXPIRED',
    'the request signature is outside its time window',
  ),
  SIGNATURE_REPLAYED: preset(401, 'SIGNATURE_REPLAYED', 'this signed request was already used'),
  DIGEST_MISMATCH: preset(401, 'DIGEST_MISMATCH', 'the body does not match its Content-Digest'),
});

/** 401 from a `@Signed` route; its `code` says why (`SIGNATURE_MISSING`, `SIGNATURE_REPLAYED`, ...). */
export class SignatureException extends PresetException {
  constructor(
    refusal: SignedRefusal,
    body?: RejectionBody | Record<string, unknown>,
    status?: number,
  ) {
    super(SIGNED_REFUSALS[refusal], body, status);
  }
}
