export const MASK = '[REDACTED]';
/** Deeper values are replaced by this marker: a hostile body must not exhaust the stack. */
export const TOO_DEEP = '[too deep]';
/** Values past the node budget are replaced by this marker: a huge fan-out must not cost CPU. */
export const TOO_MANY = '[cut]';
const MAX_DEPTH = 32;
const MAX_NODES = 10_000;

/** The `redact` list, compiled once per request: key names, dotted paths and header names. */
export interface Redaction {
  /** Entries without a dot, lower case: a key of that name at any depth, or a header. */
  readonly names: ReadonlySet<string>;
  /** Entries with dots, lower case, split: that path from the top (arrays are transparent). */
  readonly paths: readonly (readonly string[])[];
}

export function compileRedaction(list: readonly string[] = []): Redaction {
  const names = new Set<string>();
  const paths: string[][] = [];
  for (const entry of list) {
    const lower = String(entry).toLowerCase();
    if (lower.includes('.')) paths.push(lower.split('.'));
    else if (lower !== '') names.add(lower);
  }
  return { names, paths };
}

export function isEmpty(r: Redaction): boolean {
  return r.names.size === 0 && r.paths.length === 0;
}

/** Whether the value at `path` (lower-case keys from the top, array indices left out) is masked. */
export function redacts(r: Redaction, path: readonly string[]): boolean {
  const last = path[path.length - 1];
  if (last !== undefined && r.names.has(last)) return true;
  return r.paths.some((p) => p.length === path.length && p.every((s, i) => s === path[i]));
}

/**
 * A copy of `value` ready for JSON, with masked keys' values replaced, whatever their case and
 * depth; the original is untouched. Bounded in depth and in nodes visited.
 */
export function redactValue(value: unknown, r: Redaction): unknown {
  const budget = { nodes: MAX_NODES };
  return walk(value, r, [], 0, budget);
}

function walk(
  value: unknown,
  r: Redaction,
  path: string[],
  depth: number,
  budget: { nodes: number },
): unknown {
  if (typeof value === 'bigint') return String(value);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), r, path, depth, budget);
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (--budget.nodes < 0) {
        out.push(TOO_MANY);
        break;
      }
      out.push(walk(item, r, path, depth + 1, budget));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  // for-in with a break: a huge object is not listed in full before the budget stops it.
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (--budget.nodes < 0) {
      out['...'] = TOO_MANY;
      break;
    }
    // A flat parser may leave `user[password]` or `card.number` as one key: read it as a path.
    const parts = /[.[]/.test(key) ? fieldPath(key) : [key.toLowerCase()];
    path.push(...parts);
    out[key] = redacts(r, path)
      ? MASK
      : walk((value as Record<string, unknown>)[key], r, path, depth + 1, budget);
    path.length -= parts.length;
  }
  return out;
}

/** `user[password]`, `user.password` and `list[0][password]` as path keys (indices left out). */
export function fieldPath(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[.[\]]+/)
    .filter((p) => p !== '' && !/^\d+$/.test(p));
}

/** Multipart or parsed form fields by name, masked per their name read as a path. */
export function redactFields(
  fields: Record<string, string | string[]>,
  r: Redaction,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields))
    out[name] = redacts(r, fieldPath(name)) ? MASK : value;
  return out;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** A `name=value&...` text (query string or url-encoded form) with masked names' values replaced. */
export function redactQuery(query: string, r: Redaction): string {
  if (isEmpty(r) || query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return redacts(r, fieldPath(decodeName(name))) ? `${name}=${MASK}` : pair;
    })
    .join('&');
}

/** A URL (path and query) with its query string redacted. */
export function redactUrl(url: string, r: Redaction): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q + 1) + redactQuery(url.slice(q + 1), r);
}
