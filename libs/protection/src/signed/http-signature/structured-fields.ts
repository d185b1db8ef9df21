/**
 * A strict parser for the part of Structured Field Values (RFC 8941, RFC 9651) that HTTP Message
 * Signatures need: dictionaries of inner lists of strings (Signature-Input) and dictionaries of
 * byte sequences (Signature, Content-Digest), with parameters whose values are integers, strings,
 * tokens or booleans. Anything else is reported as 'unsupported' (valid, but not accepted here)
 * or 'syntax' (not a structured field). It walks the text once with charCodeAt (no regular
 * expressions on the way): every signed request is parsed.
 */
import {
  byteSequence,
  Cursor,
  isKeyText,
  key,
  LIMIT,
  otherItem,
  params,
  serializeParams,
  Stop,
  string,
  SYNTAX,
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

/** A string item; its text is a slice of the input when that is already canonical. */
function stringItem(c: Cursor): SfStringItem {
  if (c.at() !== 34) otherItem(c, false); // items of an inner list are never inner lists
  const start = c.i;
  const before = c.canonical;
  c.canonical = true;
  const value = string(c);
  const p = params(c);
  const text = c.canonical
    ? c.s.slice(start, c.i)
    : '"' + value.replace(/[\\"]/g, '\\$&') + '"' + serializeParams(p);
  c.canonical &&= before;
  return { value, params: p, text };
}

/** An inner list of strings; its text is a slice of the input when that is canonical. */
function innerList(c: Cursor, k: string): SfInnerListMember {
  const start = c.i++; // '('
  c.canonical = true;
  const items: SfStringItem[] = [];
  for (;;) {
    // Canonical: no space after '(' or before ')', one between items.
    const spaces = c.skipSp();
    if (c.at() === 41) {
      if (spaces) c.canonical = false;
      break;
    }
    if (c.i >= c.end) throw SYNTAX;
    if (spaces !== (items.length ? 1 : 0)) c.canonical = false;
    if (items.push(stringItem(c)) > c.limits.items) throw LIMIT;
    const next = c.at();
    if (next !== 32 && next !== 41) throw SYNTAX;
  }
  c.i++; // ')'
  const p = params(c);
  if (c.canonical) return { key: k, items, params: p, text: c.s.slice(start, c.i) };
  let text = '(';
  for (let n = 0; n < items.length; n++) text += (n ? ' ' : '') + (items[n] as SfStringItem).text;
  return { key: k, items, params: p, text: text + ')' + serializeParams(p) };
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
    while (c.i < c.end) {
      const k = key(c);
      if (c.at() !== 61) throw UNSUPPORTED; // a bare key is a boolean member
      c.i++;
      const m = member(c, k);
      let at = 0;
      while (at < members.length && (members[at] as T).key !== k) at++;
      if (at < members.length) members[at] = m;
      else if (members.push(m) > limits.members) throw LIMIT;
      for (let ch = c.at(); ch === 32 || ch === 9; ch = c.at()) c.i++;
      if (c.i >= c.end) break;
      if (c.at() !== 44) throw SYNTAX;
      c.i++;
      for (let ch = c.at(); ch === 32 || ch === 9; ch = c.at()) c.i++;
      if (c.i >= c.end) throw SYNTAX; // a trailing comma
    }
    return members;
  } catch (stop) {
    if (stop instanceof Stop) return stop.failure;
    throw stop;
  }
}

const innerListMember = (c: Cursor, k: string): SfInnerListMember =>
  c.at() === 40 ? innerList(c, k) : otherItem(c, true);
const bytesMember = (c: Cursor, k: string): SfBytesMember =>
  c.at() === 58 ? { key: k, base64: byteSequence(c), params: params(c) } : otherItem(c, true);

/** Parses a dictionary whose members are inner lists of strings (Signature-Input). */
export function parseInnerListDictionary(
  input: string,
  limits: SfLimits,
): SfInnerListMember[] | SfFailure {
  return dictionary(input, limits, innerListMember);
}

/** Parses a dictionary whose members are byte sequences (Signature, Content-Digest). */
export function parseBytesDictionary(input: string, limits: SfLimits): SfBytesMember[] | SfFailure {
  return dictionary(input, limits, bytesMember);
}

/** Parses one string item with parameters (a serialized component identifier). */
export function parseStringItem(input: string, limits: SfLimits): SfStringItem | SfFailure {
  const c = new Cursor(input, limits);
  try {
    const item = stringItem(c);
    return c.i === c.end ? item : 'syntax';
  } catch (stop) {
    if (stop instanceof Stop) return stop.failure;
    throw stop;
  }
}

/** Serializes an sf-string; throws on characters a string cannot hold (signing side only). */
export function serializeSfString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e) {
      throw new TypeError('A structured-field string holds printable ASCII only');
    }
  }
  return '"' + value.replace(/[\\"]/g, '\\$&') + '"';
}

/** True for a valid dictionary key or parameter name (lower case). */
export function isSfKey(value: string): boolean {
  return isKeyText(value);
}
