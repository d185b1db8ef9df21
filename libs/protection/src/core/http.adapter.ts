import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProtectionRequest, ProtectionResponse } from './http.types';

/*
 * The one place that knows the difference between Fastify and Express. Everything else in the
 * library goes through these functions, so a protection never assumes `req.raw` or
 * `res.setHeader` exists.
 */

interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string | string[]): FastifyReplyLike;
  getHeader(name: string): number | string | string[] | undefined;
  send(payload?: unknown): unknown;
  sent: boolean;
}

function isFastifyReply(res: ProtectionResponse): res is FastifyReplyLike {
  const r = res as Partial<FastifyReplyLike>;
  return typeof r.code === 'function' && typeof r.raw === 'object' && r.raw !== null;
}

/** The Node `IncomingMessage` under a Fastify or Express request. */
export function rawRequest(req: ProtectionRequest): IncomingMessage {
  return (req.raw ?? req) as IncomingMessage;
}

/** The Node `ServerResponse` under a Fastify reply or an Express response. */
export function rawResponse(res: ProtectionResponse): ServerResponse {
  return isFastifyReply(res) ? res.raw : (res as ServerResponse);
}

/** The first value of a header as Node parsed it (a repeated header is a list). */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** First value of a request header (names are case-insensitive; Node lower-cases them). */
export function requestHeader(req: ProtectionRequest, name: string): string | undefined {
  return firstHeaderValue(req.headers[name.toLowerCase()]);
}

/**
 * `requestHeader` for a name already in lower case (Node's own keys): for the hot paths (client
 * identity, debounce keys), which would otherwise convert the same constant names every request.
 */
export function lowerCaseHeader(req: ProtectionRequest, lowerCaseName: string): string | undefined {
  return firstHeaderValue(req.headers[lowerCaseName]);
}

/** The request URL as sent (path and query), on both platforms. */
export function requestUrl(req: ProtectionRequest): string {
  // Express rewrites req.url inside routers; originalUrl is what the client sent.
  const original = (req as { originalUrl?: unknown }).originalUrl;
  if (typeof original === 'string') return original;
  return req.url ?? rawRequest(req).url ?? '/';
}

/** The method as Node parsed it (methods are case-sensitive, and Node's are upper case). */
export function requestMethod(req: ProtectionRequest): string {
  return req.method ?? rawRequest(req).method ?? 'GET';
}

/** Adds a value to a response header that may repeat (`Set-Cookie`), keeping the ones already set. */
export function appendResponseHeader(res: ProtectionResponse, name: string, value: string): void {
  // Fastify appends repeated Set-Cookie values by itself.
  if (isFastifyReply(res)) {
    res.header(name, value);
    return;
  }
  const raw = res as ServerResponse;
  const seen = raw.getHeader(name);
  if (seen === undefined) raw.setHeader(name, value);
  else raw.setHeader(name, [...(Array.isArray(seen) ? seen : [String(seen)]), value]);
}

/** Sets a response header as a string (Fastify 5 rejects numbers on some paths). */
export function setResponseHeader(res: ProtectionResponse, name: string, value: string): void {
  if (isFastifyReply(res)) res.header(name, value);
  else (res as ServerResponse).setHeader(name, value);
}

/** A response header already set (by a CORS middleware, a handler...), as a string. */
export function getResponseHeader(res: ProtectionResponse, name: string): string | undefined {
  const value = isFastifyReply(res) ? res.getHeader(name) : (res as ServerResponse).getHeader(name);
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Sends exact bytes with an exact status and headers, bypassing serializers and the route's
 * default status. Used to replay a stored response.
 */
export function sendRaw(
  res: ProtectionResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: Buffer,
): void {
  if (isFastifyReply(res)) {
    res.code(status);
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) res.header(name, Array.isArray(value) ? value : String(value));
    }
    res.send(body);
    return;
  }
  const raw = res as ServerResponse;
  raw.statusCode = status;
  // setHeader, not Express's res.set: res.set would append a charset the leader never sent.
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) raw.setHeader(name, Array.isArray(value) ? value : String(value));
  }
  raw.end(body);
}

/** The path of a request URL, without its query. */
export function urlPath(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The query string of a request URL without the `?`; undefined when there is none. */
export function urlQuery(url: string): string | undefined {
  const q = url.indexOf('?');
  return q < 0 ? undefined : url.slice(q + 1);
}

/** The first value of a query parameter (malformed queries read as none). */
export function urlQueryParams(url: string, names: readonly string[]): Array<string | undefined> {
  const query = urlQuery(url);
  if (query === undefined) return names.map(() => undefined);
  try {
    const params = new URLSearchParams(query);
    return names.map((n) => params.get(n) ?? undefined);
  } catch {
    return names.map(() => undefined);
  }
}
