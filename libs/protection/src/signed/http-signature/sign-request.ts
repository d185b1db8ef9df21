import { createHmac, randomBytes } from 'node:crypto';
import { contentDigest } from './content-digest';
import type { ParsedSignature, SignedRequestView } from './http-signature.types';
import { signatureBase } from './signature-base';
import { isSfKey, serializeSfString } from './structured-fields';

/** What `signRequest` signs. */
export interface SignRequestInput {
  method: string;
  /** An absolute URL or a path with its query ('/a?b=1'). */
  url: string | URL;
  headers?: Record<string, string | string[] | undefined>;
  body?: string | Buffer | Uint8Array;
  keyid: string;
  /** The shared secret; the HMAC key is its UTF-8 bytes. */
  secret: string;
  /** Creation time in seconds; default now. */
  created?: number;
  /** Default: 16 random bytes, base64url. */
  nonce?: string;
  /** Default 'sig'. */
  label?: string;
  /** Extra header names to cover, e.g. ['content-type']; each must be in `headers`. */
  components?: string[];
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Signs a request with RFC 9421 hmac-sha256 and returns the headers to add: 'signature-input',
 * 'signature', and 'content-digest' (RFC 9530, sha-256) when there is a non-empty body. Covers
 * "@method" (upper-cased: send it so), "@path", "@query" when the URL has one, "content-digest"
 * when there is a body, then `components`; parameters created, keyid, nonce, alg="hmac-sha256".
 * The path and query are those of the WHATWG URL parse of `url`, which is what fetch sends.
 * Throws on input it cannot sign (a covered header missing, a keyid that is not printable
 * ASCII, a bad label): a programming error on the signing side.
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const url = typeof input.url === 'string' ? new URL(input.url, 'http://localhost') : input.url;
  const label = input.label ?? 'sig';
  if (!isSfKey(label)) throw new TypeError(`signRequest: invalid label ${JSON.stringify(label)}`);
  const created = input.created ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(created)) throw new TypeError('signRequest: created is not an integer');
  const body = toBuffer(input.body);
  const digest = body.length > 0 ? contentDigest(body) : undefined;
  const query = url.search.slice(1);

  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), [value].flat().map(trim).join(', '));
  }
  if (digest !== undefined) headers.set('content-digest', digest);

  const names = ['@method', '@path'];
  if (query !== '') names.push('@query');
  if (digest !== undefined) names.push('content-digest');
  for (const raw of input.components ?? []) {
    const name = raw.toLowerCase();
    if (!FIELD_NAME.test(name)) throw new TypeError(`signRequest: not a header name: ${raw}`);
    if (!headers.has(name)) throw new TypeError(`signRequest: header ${raw} is not in headers`);
    if (!names.includes(name)) names.push(name);
  }
  const components = names.map((name) => `"${name}"`);
  const paramsText =
    `(${components.join(' ')});created=${created};keyid=${serializeSfString(input.keyid)}` +
    `;nonce=${serializeSfString(input.nonce ?? randomBytes(16).toString('base64url'))}` +
    `;alg="hmac-sha256"`;

  const view: SignedRequestView = {
    method: input.method.toUpperCase(),
    path: url.pathname,
    query,
    authority: url.host,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    header: (name) => headers.get(name),
    body,
  };
  const sig: ParsedSignature = {
    label,
    components,
    created,
    expires: undefined,
    keyid: input.keyid,
    nonce: undefined,
    alg: 'hmac-sha256',
    tag: undefined,
    paramsText,
    signature: Buffer.alloc(0),
  };
  // The verifier's own base builder: what is signed here is what it rebuilds.
  const base = signatureBase(sig, view);
  if (base === 'SIGNATURE_INVALID') {
    throw new TypeError('signRequest: a covered value cannot be signed (a line break?)');
  }
  const mac = createHmac('sha256', Buffer.from(input.secret, 'utf8')).update(base, 'utf8');
  const result: Record<string, string> = {
    'signature-input': `${label}=${paramsText}`,
    signature: `${label}=:${mac.digest('base64')}:`,
  };
  if (digest !== undefined) result['content-digest'] = digest;
  return result;
}

const trim = (value: string): string => value.replace(/^[ \t]+|[ \t]+$/g, '');

function toBuffer(body: string | Buffer | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
