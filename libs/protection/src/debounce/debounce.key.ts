import { BadRequestException } from '@nestjs/common';
import { lowerCaseHeader, requestMethod, requestUrl, urlQuery } from '../core/http.adapter';
import type { ProtectionRequest } from '../core/http.types';
import { resourcePath } from '../core/route-key';
import { sha256 } from '../core/hash';
import type { DebounceRouteOptions } from './debounce-options.interface';

const MAX_PATH_IN_KEY = 200;
/** Longest raw key kept in memory (bounded per entry like a hashed one). */
const MAX_LOCAL_KEY = 256;

/** Query string with parameters sorted by name, then value, so `b=2&a=1` equals `a=1&b=2`. */
export function canonicalQuery(search: string): string {
  if (search === '') return '';
  if (/^[\w.~=&-]*$/.test(search)) {
    // Only characters that decoding and encodeURIComponent leave alone: sort the raw pairs
    // (the same result as the general path below, without decoding and re-encoding).
    if (search.indexOf('&') < 0) return search.indexOf('=') < 0 ? search + '=' : search;
    const raw = search.split('&').filter((p) => p !== '');
    if (raw.length === 1) return raw[0]!.includes('=') ? raw[0]! : raw[0] + '=';
    return raw
      .map((p) => {
        const eq = p.indexOf('=');
        return eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
      })
      .sort((x, y) =>
        x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : x[1]! < y[1]! ? -1 : x[1]! > y[1]! ? 1 : 0,
      )
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  }
  const pairs = [...new URLSearchParams(search)];
  pairs.sort((x, y) =>
    x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0,
  );
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** JSON with object keys sorted at every level, so key order never splits a key. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const keys = Object.keys(value).sort();
  return (
    '{' +
    keys
      .map((k) => JSON.stringify(k) + ':' + canonicalJson((value as Record<string, unknown>)[k]))
      .join(',') +
    '}'
  );
}

function bodyDigestInput(body: unknown): string | Buffer {
  if (body === undefined || body === null) return '';
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return 's' + body;
  try {
    return 'j' + canonicalJson(body);
  } catch {
    // Only a pathological body (nesting deep enough to exhaust the stack) gets here.
    throw new BadRequestException({
      statusCode: 400,
      code: 'BAD_BODY',
      message: 'Request body is nested too deeply to be debounced',
    });
  }
}

/** What a debounce key is made of: the route and its parameters, and the enabled parts in one string (or bytes). */
export interface DebounceKeyMaterial {
  readonly path: string;
  readonly parts: string | Buffer;
}

/** The enabled parts, in a fixed order, each separated so two requests that differ in any never collide. */
export function debounceMaterial(
  req: ProtectionRequest,
  route: DebounceRouteOptions,
  identity: (req: ProtectionRequest) => string,
): DebounceKeyMaterial {
  const url = requestUrl(req);
  // The matched route and its decoded parameters: URL spellings of one resource share a key.
  const path = resourcePath(req);
  const query = route.query ? urlQuery(url) : undefined;
  // Parts are separated by NUL, which none of them can contain.
  let parts =
    (route.session ? identity(req) : '') + '\0' + (route.method ? requestMethod(req) : '') + '\0';
  if (query !== undefined) parts += canonicalQuery(query);
  parts += '\0';
  const names = route.header;
  for (let i = 0; i < names.length; i++)
    parts += names[i] + ':' + (lowerCaseHeader(req, names[i]!) ?? '') + '\0';
  if (route.credentials.length) parts += credentialsDigest(req, route.credentials) + '\0';
  if (!route.body) return { path, parts };
  const body = bodyDigestInput(req.body);
  return {
    path,
    parts: typeof body === 'string' ? parts + body : Buffer.concat([Buffer.from(parts), body]),
  };
}

/** A digest of the credential headers: a reused response never reaches other credentials. */
function credentialsDigest(req: ProtectionRequest, names: readonly string[]): string {
  let material = '';
  for (let i = 0; i < names.length; i++) material += (lowerCaseHeader(req, names[i]!) ?? '') + '\0';
  return material.length === names.length ? '' : sha256(material);
}

/** The shared key form (Redis keys, logs): `<path without query>|<sha256 of the parts>`. */
export function hashedDebounceKey(material: DebounceKeyMaterial): string {
  const shownPath = material.path.length <= MAX_PATH_IN_KEY ? material.path : sha256(material.path);
  return `${shownPath}|${sha256(material.parts)}`;
}

/**
 * A key for an in-process map: the parts themselves when short (a SHA-256 costs more than the
 * rest of the decision, and no other process needs to agree on the key), else the hashed key.
 * The two forms never meet: a raw key holds NUL characters, a hashed one never does.
 */
export function localDebounceKey(material: DebounceKeyMaterial): string {
  const { path, parts } = material;
  // Joined, not concatenated: the key is kept for the whole window, and a joined string is one
  // flat object, where a concatenation is a tree of pieces that the map then flattens (the
  // wrapper stays alive beside the copy, for the garbage collector to move until the key dies).
  if (typeof parts === 'string' && parts.length + path.length <= MAX_LOCAL_KEY)
    return [path, parts].join('|');
  return hashedDebounceKey(material);
}

/** `hashedDebounceKey` straight from a request. */
export function debounceKey(
  req: ProtectionRequest,
  route: DebounceRouteOptions,
  identity: (req: ProtectionRequest) => string,
): string {
  return hashedDebounceKey(debounceMaterial(req, route, identity));
}
