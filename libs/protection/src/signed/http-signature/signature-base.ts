import type {
  ParsedSignature,
  SignatureErrorCode,
  SignedRequestView,
} from './http-signature.types';
import { parseStringItem, type SfLimits, type SfParam } from './structured-fields';

const ITEM_LIMITS: SfLimits = { members: 1, items: 1, params: 16 };
const NO_PARAMS: readonly SfParam[] = [];
/** A field name as a component: lower case (RFC 9421 lower-cases it), token characters. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The RFC 9421 signature base of `sig` over `view`, or SIGNATURE_INVALID when a covered
 * component is absent, repeated or unsupported. Derived components: @method, @target-uri,
 * @authority, @scheme, @request-target, @path, @query, @query-param;name="..."; header fields
 * by lower-case name (value trimmed of SP/HTAB; several values as the view joined them).
 * Component parameters (sf, key, bs, req, tr and any other) are unsupported.
 */
export function signatureBase(
  sig: ParsedSignature,
  view: SignedRequestView,
  // The union documents the error value (a base always starts with '"'), though TypeScript folds it.
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
): string | SignatureErrorCode {
  const components = sig.components;
  let base = '';
  for (let n = 0; n < components.length; n++) {
    const id = components[n] as string;
    for (let m = 0; m < n; m++) if (components[m] === id) return 'SIGNATURE_INVALID';
    const value = componentValue(id, view);
    // A newline in a value would let one base read as another (RFC 9421 forbids it).
    if (value === undefined || value.includes('\n')) return 'SIGNATURE_INVALID';
    base += id + ': ' + value + '\n';
  }
  return base + '"@signature-params": ' + sig.paramsText;
}

/** The derived components, by serialized identifier (a lookup, no parsing or comparisons). */
const DERIVED = new Map<string, (view: SignedRequestView) => string>([
  ['"@method"', (view) => view.method],
  ['"@target-uri"', (view) => view.scheme + '://' + authority(view) + requestTarget(view)],
  ['"@authority"', authority],
  ['"@scheme"', (view) => view.scheme],
  ['"@request-target"', requestTarget],
  ['"@path"', (view) => view.path || '/'],
  ['"@query"', (view) => '?' + view.query],
]);

/** The value of one serialized component identifier, or undefined when it has none. */
function componentValue(id: string, view: SignedRequestView): string | undefined {
  const derive = DERIVED.get(id);
  if (derive) return derive(view);
  let name: string;
  let params = NO_PARAMS;
  const last = id.length - 1;
  // A plain quoted name (a header field), without the parser.
  if (last > 0 && id.charCodeAt(0) === 34 && id.indexOf('"', 1) === last && !id.includes('\\')) {
    name = id.slice(1, last);
  } else {
    const item = parseStringItem(id, ITEM_LIMITS);
    if (typeof item === 'string') return undefined;
    name = item.value;
    params = item.params;
  }
  if (params.length) {
    const param = params[0] as SfParam;
    if (name !== '@query-param' || params.length !== 1 || param.key !== 'name') return undefined;
    return typeof param.value === 'string' ? queryParam(view.query, param.value) : undefined;
  }
  // A field name; '@status', '@query-param' without a name, '"@method"' spelled with an escape
  // and the like are not.
  if (!FIELD_NAME.test(name)) return undefined;
  const value = view.header(name);
  return value === undefined ? undefined : trimOws(value);
}

function requestTarget(view: SignedRequestView): string {
  return (view.path || '/') + (view.query ? '?' + view.query : '');
}

/** The Host value normalized as HTTP does: lower case, no default port. */
function authority(view: SignedRequestView): string {
  const host = view.authority.toLowerCase();
  const port = view.scheme === 'https' ? ':443' : ':80';
  if (host.endsWith(port)) return host.slice(0, -port.length);
  return host.endsWith(':') ? host.slice(0, -1) : host;
}

function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

const isOws = (c: number): boolean => c === 32 || c === 9;

/**
 * @query-param: the query parsed as application/x-www-form-urlencoded, names and values
 * re-encoded; `name` is the encoded name. A name sent more than once has no value (RFC 9421
 * forbids signing it).
 */
function queryParam(query: string, name: string): string | undefined {
  let found: string | undefined;
  try {
    for (const [k, v] of new URLSearchParams(query)) {
      if (formEncode(k) !== name) continue;
      if (found !== undefined) return undefined;
      found = formEncode(v);
    }
  } catch {
    return undefined;
  }
  return found;
}

/**
 * Percent-encodes with the application/x-www-form-urlencoded percent-encode set, a space as
 * %20 (as RFC 9421's examples do): encodeURIComponent plus ! ' ( ) ~.
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()~]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}
