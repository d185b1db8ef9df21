import { timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './hmac';
import type {
  ParsedSignature,
  SignatureErrorCode,
  SignedRequestView,
} from './http-signature.types';
import {
  parseBytesDictionary,
  parseInnerListDictionary,
  type SfBytesMember,
  type SfInnerListMember,
  type SfLimits,
} from './structured-fields';

/** Longest Signature-Input or Signature accepted, in characters. */
export const MAX_SIGNATURE_HEADER = 8192;
const INPUT_LIMITS: SfLimits = { members: 8, items: 32, params: 16 };
const SIGNATURE_LIMITS: SfLimits = { members: 8, items: 0, params: 16 };
const NO_SIGNATURE = Buffer.alloc(0);

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
    let at = 0;
    while (at < signatures.length && (signatures[at] as SfBytesMember).key !== input.key) at++;
    if (at === signatures.length) continue;
    const result = readParams(input);
    if (!result) return 'SIGNATURE_INVALID';
    result.signature = Buffer.from((signatures[at] as SfBytesMember).base64, 'base64');
    parsed.push(result);
  }
  // Signatures under other labels only: nothing here can be verified.
  return parsed.length ? parsed : 'SIGNATURE_INVALID';
}

/** One label's parameters, their types checked; undefined on a wrong type. */
function readParams(input: SfInnerListMember): ParsedSignature | undefined {
  const components: string[] = [];
  for (const item of input.items) components.push(item.text);
  const result: ParsedSignature = {
    label: input.key,
    components,
    created: undefined,
    expires: undefined,
    keyid: undefined,
    nonce: undefined,
    alg: undefined,
    tag: undefined,
    paramsText: input.text,
    signature: NO_SIGNATURE,
  };
  // Explicit stores, one property each (a computed key would make every store generic); the
  // length is compared first, as these keys are slices the engine compares character by character.
  for (const { key, value } of input.params) {
    const n = key.length;
    if ((n === 7 && key === 'created') || (n === 7 && key === 'expires')) {
      if (typeof value !== 'number') return undefined;
      if (key === 'created') result.created = value;
      else result.expires = value;
    } else if (
      (n === 5 && (key === 'keyid' || key === 'nonce')) ||
      (n === 3 && (key === 'alg' || key === 'tag'))
    ) {
      if (typeof value !== 'string') return undefined;
      if (key === 'keyid') result.keyid = value;
      else if (key === 'nonce') result.nonce = value;
      else if (key === 'alg') result.alg = value;
      else result.tag = value;
    } // other parameters are covered through @signature-params, nothing more
  }
  return result;
}

const METHOD = 1;
const PATH = 2;
const QUERY = 4;
const DIGEST = 8;
/** What each identifier covers (a map lookup: the identifiers' hashes are computed once). */
const COVERS = new Map([
  ['"@method"', METHOD],
  ['"@path"', PATH],
  ['"@query"', QUERY],
  ['"@target-uri"', PATH | QUERY], // the whole URI: path and query
  ['"content-digest"', DIGEST],
]);

/**
 * Whether `sig` covers what this request must have signed: "@method"; "@path" or "@target-uri";
 * "@query" (or "@target-uri", which holds it) when the request has a query; "content-digest"
 * when it has a body. Null when covered, else SIGNATURE_INVALID.
 */
export function checkCoverage(
  sig: ParsedSignature,
  view: SignedRequestView,
): SignatureErrorCode | null {
  let covered = 0;
  for (const id of sig.components) covered |= COVERS.get(id) ?? 0;
  let needed = METHOD | PATH;
  if (view.query !== '') needed |= QUERY;
  if (view.body && view.body.length > 0) needed |= DIGEST;
  return (covered & needed) === needed ? null : 'SIGNATURE_INVALID';
}

/** HMAC-SHA256 of `base` keyed with the UTF-8 bytes of `secret`, compared in constant time. */
export function hmacMatches(base: string, secret: string, signature: Buffer): boolean {
  const expected = hmacSha256(secret, base);
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

/** `hmacMatches` with the key given as bytes (RFC 9421's test key is binary). Internal. */
export function hmacMatchesKeyBytes(base: string, keyBytes: Buffer, signature: Buffer): boolean {
  const expected = hmacSha256(keyBytes, base);
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
