/**
 * A strict parser for the part of Structured Field Values (RFC 8941, RFC 9651) that HTTP Message
 * Signatures need: dictionaries of inner lists of strings (Signature-Input) and dictionaries of
 * byte sequences (Signature, Content-Digest), with parameters whose values are integers, strings,
 * tokens or booleans. Anything else is reported as 'unsupported' (valid, but not accepted here)
 * or 'syntax' (not a structured field). It walks the text once with charCodeAt (no regular
 * expressions on the way): every signed request is parsed.
 */
import {
  Cursor,
  is,
  KEY,
  KEY_START,
  key,
  LIMIT,
  NONE,
  otherItem,
  params,
  Stop,
  string,
  SYNTAX,
  B64,
  UNSUPPORTED,
} from './structured-fields.lexer';
import type {
  SfBytesMember,
  SfFailure,
  SfInnerListMember,
  SfLimits,
  SfStringItem,
} from './structured-fields.types';

export * from './structured-fields.types';

function stringItem(c: Cursor): SfStringItem {
  if (c.at() !== 34) otherItem(c, false); // items of an inner list are never inner lists
  const start = c.i;
  const value = string(c);
  const raw = c.s.slice(start, c.i);
  const p = params(c);
  return { value, params: p, text: p === NONE ? raw : raw + p.map((x) => x.text).join('') };
}

function innerList(c: Cursor, k: string): SfInnerListMember {
  c.i++; // '('
  const items: SfStringItem[] = [];
  for (;;) {
    c.skipSp();
    if (c.at() === 41) break;
    if (c.i >= c.s.length) throw SYNTAX;
    if (items.push(stringItem(c)) > c.limits.items) throw LIMIT;
    const next = c.at();
    if (next !== 32 && next !== 41) throw SYNTAX;
  }
  c.i++; // ')'
  const p = params(c);
  let text = '(';
  for (let n = 0; n < items.length; n++) text += (n ? ' ' : '') + (items[n] as SfStringItem).text;
  text += ')';
  for (const x of p) text += x.text;
  return { key: k, items, params: p, text };
}

function bytes(c: Cursor, k: string): SfBytesMember {
  const start = c.i + 1;
  const end = c.s.indexOf(':', start);
  if (end < 0) throw SYNTAX;
  let len = end - start;
  for (let j = start; j < end; j++) if (!is(c.s.charCodeAt(j), B64)) throw SYNTAX;
  // Padding is optional; '=' may only end a 4-character group (as atob/forgiving-base64 decides).
  if (len % 4 === 0 && c.s.charCodeAt(start + len - 1) === 61) {
    len--;
    if (c.s.charCodeAt(start + len - 1) === 61) len--;
  }
  const base64 = c.s.slice(start, start + len);
  if (len % 4 === 1 || base64.includes('=')) throw SYNTAX;
  c.i = end + 1;
  return { key: k, base64, params: params(c) };
}

function dictionary<T extends { readonly key: string }>(
  input: string,
  limits: SfLimits,
  member: (c: Cursor, key: string) => T,
): T[] | SfFailure {
  const c = new Cursor(input, limits);
  const members: T[] = [];
  try {
    c.skipSp();
    while (c.i < input.length) {
      const k = key(c);
      if (c.at() !== 61) throw UNSUPPORTED; // a bare key is a boolean member
      c.i++;
      const m = member(c, k);
      const at = members.findIndex((x) => x.key === k);
      if (at >= 0) members[at] = m;
      else if (members.push(m) > limits.members) throw LIMIT;
      for (let ch = c.at(); ch === 32 || ch === 9; ch = c.at()) c.i++;
      if (c.i >= input.length) break;
      if (c.at() !== 44) throw SYNTAX;
      c.i++;
      for (let ch = c.at(); ch === 32 || ch === 9; ch = c.at()) c.i++;
      if (c.i >= input.length) throw SYNTAX; // a trailing comma
    }
    return members;
  } catch (stop) {
    if (stop instanceof Stop) return stop.failure;
    throw stop;
  }
}

/** Parses a dictionary whose members are inner lists of strings (Signature-Input). */
export function parseInnerListDictionary(
  input: string,
  limits: SfLimits,
): SfInnerListMember[] | SfFailure {
  return dictionary(input, limits, (c, k) =>
    c.at() === 40 ? innerList(c, k) : otherItem(c, true),
  );
}

/** Parses a dictionary whose members are byte sequences (Signature, Content-Digest). */
export function parseBytesDictionary(input: string, limits: SfLimits): SfBytesMember[] | SfFailure {
  return dictionary(input, limits, (c, k) => (c.at() === 58 ? bytes(c, k) : otherItem(c, true)));
}

/** Parses one string item with parameters (a serialized component identifier). */
export function parseStringItem(input: string, limits: SfLimits): SfStringItem | SfFailure {
  const c = new Cursor(input, limits);
  try {
    const item = stringItem(c);
    return c.i === input.length ? item : 'syntax';
  } catch (stop) {
    if (stop instanceof Stop) return stop.failure;
    throw stop;
  }
}

/** Serializes an sf-string; throws on characters a string cannot hold (signing side only). */
export function serializeSfString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e)
      throw new TypeError('A structured-field string holds printable ASCII only');
  }
  return '"' + value.replace(/[\\"]/g, '\\$&') + '"';
}

/** True for a valid dictionary key or parameter name (lower case). */
export function isSfKey(value: string): boolean {
  if (!is(value.charCodeAt(0), KEY_START)) return false;
  for (let i = 1; i < value.length; i++) if (!is(value.charCodeAt(i), KEY)) return false;
  return true;
}
