/**
 * Why a signed request was refused. SIGNATURE_REPLAYED is not here: the caller's nonce store
 * decides that.
 */
export type SignatureErrorCode =
  'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'SIGNATURE_EXPIRED' | 'DIGEST_MISMATCH';

/** The request as the verifier sees it (raw values as received). */
export interface SignedRequestView {
  /** The method as received, e.g. 'POST' (compared and emitted as is). */
  method: string;
  /** The raw absolute path as sent: no query, percent-encoding kept; '' means '/'. */
  path: string;
  /** The raw query without '?'; '' when the request had none (or a bare '?'). */
  query: string;
  /** The Host header value (lower-cased, default port dropped, for @authority). */
  authority: string;
  scheme: 'http' | 'https';
  /** A header by lower-case name; several values already joined with ', '. */
  header(name: string): string | undefined;
  /** The raw body bytes when the request has one (undefined or length 0: no body). */
  body: Buffer | undefined;
}

/** One signature of a request: a label present in both Signature-Input and Signature. */
export interface ParsedSignature {
  label: string;
  /** Component identifiers as serialized, e.g. '"@method"', '"@query-param";name="a"'. */
  components: readonly string[];
  /** Creation time, seconds. */
  created: number | undefined;
  /** Expiry time, seconds. */
  expires: number | undefined;
  keyid: string | undefined;
  nonce: string | undefined;
  alg: string | undefined;
  tag: string | undefined;
  /** The inner list and parameters re-serialized canonically: the @signature-params value. */
  paramsText: string;
  /** The signature bytes. */
  signature: Buffer;
}
