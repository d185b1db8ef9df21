import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  ParsedSignature,
  SignatureErrorCode,
  SignedRequestView,
} from './http-signature.types';
import {
  parseBytesDictionary,
  parseInnerListDictionary,
  type SfLimits,
  type SfParam,
} from './structured-fields';

/** Longest Signature-Input or Signature accepted, in characters. */
export const MAX_SIGNATURE_HEADER = 8192;
const INPUT_LIMITS: SfLimits = { members: 8, items: 32, params: 16 };
const SIGNATURE_LIMITS: SfLimits = { members: 8, items: 0, params: 16 };

/**
 * Parses Signature-Input and Signature (RFC 9421): every label present in both, in
 * Signature-Input order, or an error code. Either header absent or empty: SIGNATURE_MISSING.
 * Over 8 KB, more than 8 labels or 32 components, any malformed structured field, a signature
 * parameter of the wrong type (created/expires integers; keyid, nonce, alg, tag strings), or no
 * label in both headers: SIGNATURE_INVALID. Never throws.
 */
export function parseSignatures(
  signatureInput: string | undefined,
  signature: string | undefined,
): ParsedSignature[] | SignatureErrorCode {
  if (signatureInput === undefined || signature === undefined) return 'SIGNATURE_MISSING';
  if (typeof signatureInput !== 'string' || typeof signature !== 'string') {
    return 'SIGNATURE_INVALID';
  }
  if (signatureInput.length > MAX_SIGNATURE_HEADER || signature.length > MAX_SIGNATURE_HEADER) {
    return 'SIGNATURE_INVALID';
  }
  const inputs = parseInnerListDictionary(signatureInput, INPUT_LIMITS);
  const signatures = parseBytesDictionary(signature, SIGNATURE_LIMITS);
  if (typeof inputs === 'string' || typeof signatures === 'string') return 'SIGNATURE_INVALID';
  if (inputs.length === 0 || signatures.length === 0) return 'SIGNATURE_MISSING';
  const parsed: ParsedSignature[] = [];
  for (const input of inputs) {
    const sig = signatures.find((s) => s.key === input.key);
    if (!sig) continue;
    const result: ParsedSignature = {
      label: input.key,
      components: input.items.map((item) => item.text),
      created: undefined,
      expires: undefined,
      keyid: undefined,
      nonce: undefined,
      alg: undefined,
      tag: undefined,
      paramsText: input.text,
      signature: Buffer.from(sig.base64, 'base64'),
    };
    if (!readParams(input.params, result)) return 'SIGNATURE_INVALID';
    parsed.push(result);
  }
  // Signatures under other labels only: nothing here can be verified.
  return parsed.length ? parsed : 'SIGNATURE_INVALID';
}

/** Copies the registered signature parameters, checking their types; false on a wrong type. */
function readParams(params: readonly SfParam[], into: ParsedSignature): boolean {
  for (const { key, value } of params) {
    switch (key) {
      case 'created':
      case 'expires':
        if (typeof value !== 'number') return false;
        into[key] = value;
        break;
      case 'keyid':
      case 'nonce':
      case 'alg':
      case 'tag':
        if (typeof value !== 'string') return false;
        into[key] = value;
        break;
      default: // other parameters are covered through @signature-params, nothing more
    }
  }
  return true;
}

/**
 * Whether `sig` covers what this request must have signed: "@method"; "@path" or "@target-uri";
 * "@query" (or "@target-uri", which holds it) when the request has a query; "content-digest"
 * when it has a body. Null when covered, else SIGNATURE_INVALID.
 */
export function checkCoverage(
  sig: ParsedSignature,
  view: SignedRequestView,
): SignatureErrorCode | null {
  const c = sig.components;
  const targetUri = c.includes('"@target-uri"');
  if (!c.includes('"@method"')) return 'SIGNATURE_INVALID';
  if (!targetUri && !c.includes('"@path"')) return 'SIGNATURE_INVALID';
  if (view.query !== '' && !targetUri && !c.includes('"@query"')) return 'SIGNATURE_INVALID';
  if (view.body && view.body.length > 0 && !c.includes('"content-digest"')) {
    return 'SIGNATURE_INVALID';
  }
  return null;
}

/** HMAC-SHA256 of `base` keyed with the UTF-8 bytes of `secret`, compared in constant time. */
export function hmacMatches(base: string, secret: string, signature: Buffer): boolean {
  return hmacMatchesKeyBytes(base, Buffer.from(secret, 'utf8'), signature);
}

/** `hmacMatches` with the key given as bytes (RFC 9421's test key is binary). Internal. */
export function hmacMatchesKeyBytes(base: string, keyBytes: Buffer, signature: Buffer): boolean {
  const expected = createHmac('sha256', keyBytes).update(base, 'utf8').digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

/**
 * The creation-time window: `created` absent, SIGNATURE_INVALID; created more than
 * `skewSeconds` ahead of now (future-dated) or more than `windowSeconds` behind it, or an
 * `expires` in the past, SIGNATURE_EXPIRED. Null when fresh.
 */
export function checkFreshness(
  sig: ParsedSignature,
  nowSeconds: number,
  windowSeconds: number,
  skewSeconds: number,
): SignatureErrorCode | null {
  const { created, expires } = sig;
  if (created === undefined) return 'SIGNATURE_INVALID';
  if (created > nowSeconds + skewSeconds || created < nowSeconds - windowSeconds) {
    return 'SIGNATURE_EXPIRED';
  }
  if (expires !== undefined && expires < nowSeconds) return 'SIGNATURE_EXPIRED';
  return null;
}
