import { requestMethod, requestUrl, urlPath } from './http.adapter';
import { sha256 } from './hash';
import type { ProtectionRequest } from './http.types';

interface FastifyRouted {
  readonly routeOptions?: { readonly url?: string };
  readonly params?: unknown;
}
interface ExpressRouted {
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: string;
  readonly params?: unknown;
}

const MAX_KEY = 512;

/**
 * The route a request matched: the method plus the pattern Nest registered (`/users/:id`), never
 * the URL as spelled, so percent-encoding, letter case, a trailing slash or an absolute-form
 * target never make a new key. Before routing (or outside it) the canonical path stands in.
 */
export function routeKey(req: ProtectionRequest): string {
  return routeMethod(req) + ' ' + routePath(req);
}

/** The matched route pattern, or before routing the canonical path. */
export function routePath(req: ProtectionRequest): string {
  return routePattern(req) ?? canonicalPath(requestUrl(req));
}

/**
 * One resource of a route: the pattern plus its decoded parameter values
 * (`/users/:id;id=1`), so `/users/1` and `/users/2` differ while `/users/%31` is `/users/1`.
 */
export function resourcePath(req: ProtectionRequest): string {
  const pattern = routePattern(req);
  if (pattern === undefined) return canonicalPath(requestUrl(req));
  let path = pattern;
  const params = (req as FastifyRouted).params as Record<string, unknown> | undefined;
  // for-in, not Object.entries: most routes have no parameters, and entries() always allocates.
  for (const name in params) {
    const value = params[name];
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join('/') : '';
    path += ';' + name + '=' + encodeURIComponent(text);
  }
  // Parameter values are the client's: a huge one is kept as a digest.
  return path.length <= MAX_KEY ? path : pattern + ';#' + sha256(path);
}

/** The method a route key uses: HEAD counts as GET. */
export function routeMethod(req: ProtectionRequest): string {
  const method = requestMethod(req);
  return method === 'HEAD' ? 'GET' : method;
}

/** The registered pattern: Fastify's `routeOptions.url`, Express's `baseUrl + route.path`. */
function routePattern(req: ProtectionRequest): string | undefined {
  // Fastify requests carry the Node request in `raw`; Express requests are the Node request.
  if (req.raw !== undefined) {
    const url = (req as FastifyRouted).routeOptions?.url;
    return typeof url === 'string' ? bounded(url) : undefined;
  }
  const path = (req as ExpressRouted).route?.path;
  if (typeof path !== 'string') return undefined;
  return bounded(((req as ExpressRouted).baseUrl ?? '') + path);
}

function bounded(pattern: string): string {
  return pattern.length <= MAX_KEY ? pattern : pattern.slice(0, MAX_KEY);
}

/**
 * A path as routers compare it: absolute-form target cut to its path, percent-encoding decoded
 * (an encoded slash kept encoded), dot segments and repeated slashes resolved, no trailing
 * slash, lower case. Used where no route was matched (yet).
 */
export function canonicalPath(url: string): string {
  let path = urlPath(url);
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  if (!path.startsWith('/')) {
    // Absolute form (`http://host/path`): the path part only.
    const scheme = path.indexOf('://');
    const slash = scheme >= 0 ? path.indexOf('/', scheme + 3) : -1;
    path = slash >= 0 ? path.slice(slash) : '/';
  }
  if (path.length > MAX_KEY * 4) path = path.slice(0, MAX_KEY * 4);
  if (path.includes('%')) path = decodePath(path);
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return bounded('/' + segments.join('/').toLowerCase());
}

function decodePath(path: string): string {
  return path.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const code = Number.parseInt(escape.slice(1), 16);
    // Keep an encoded slash (it is not a separator) and anything outside ASCII as written.
    return code === 0x2f || code >= 0x80 || code < 0x20
      ? escape.toLowerCase()
      : String.fromCharCode(code);
  });
}
