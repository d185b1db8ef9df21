/**
 * The character-level half of the structured-field parser: keys, strings, integers, tokens,
 * booleans, byte sequences and parameters, read with charCodeAt from a cursor. A failure is
 * thrown as one of three preallocated errors and caught by the callers in structured-fields.ts;
 * nothing escapes them.
 */
import {
  SfToken,
  type SfFailure,
  type SfLimits,
  type SfParam,
  type SfParamValue,
} from './structured-fields.types';

/** The parameters of an item that has none (shared: most items have none). */
export const NONE: readonly SfParam[] = [];

// Character classes, one bit each, for every UTF-16 code unit (64 KB: a lookup needs no range
// check): a key's first character, a key character, a token character, a base64 character.
// Module-local on purpose: TypeScript compiles an exported const to a property of `exports`,
// loaded again at every use.
const KEY_START = 1;
const KEY = 2;
const TOKEN = 4;
const B64 = 8;
const CLASS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const lower = ch >= 'a' && ch <= 'z';
  const alnum = lower || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
  let k = 0;
  if (lower || ch === '*') k |= KEY_START;
  if (lower || (ch >= '0' && ch <= '9') || '_-.*'.includes(ch)) k |= KEY;
  if (alnum || "!#$%&'*+-.^_`|~:/".includes(ch)) k |= TOKEN;
  if (alnum || '+/='.includes(ch)) k |= B64;
  CLASS[c] = k;
}

/** Whether code unit `c` (0 to 65535) is in class `k`. */
function is(c: number, k: number): boolean {
  return ((CLASS[c] as number) & k) !== 0;
}

/** Thrown inside the parser only, never out of it; made once, so a throw captures no stack. */
export class Stop extends Error {
  constructor(readonly failure: SfFailure) {
    super(failure);
  }
}
/** The three failures, thrown as is. */
export const SYNTAX = new Stop('syntax');
export const UNSUPPORTED = new Stop('unsupported');
export const LIMIT = new Stop('limit');

/**
 * The text being parsed, the position in it, the bounds that apply, and whether the text read
 * so far is already in canonical form (then a slice of it is its serialization). Every read is
 * checked against the end first: reading past it (NaN) would make V8 stop inlining charCodeAt.
 */
export class Cursor {
  i = 0;
  canonical = true;
  readonly end: number;
  constructor(
    readonly s: string,
    readonly limits: SfLimits,
  ) {
    this.end = s.length;
  }
  /** The code unit at the cursor, -1 at the end. */
  at(): number {
    return this.i < this.end ? this.s.charCodeAt(this.i) : -1;
  }
  /** Skips spaces; returns how many. */
  skipSp(): number {
    const start = this.i;
    while (this.i < this.end && this.s.charCodeAt(this.i) === 32) this.i++;
    return this.i - start;
  }
}

/** A key (dictionary member or parameter name) at the cursor. */
export function key(c: Cursor): string {
  const { s, end } = c;
  const start = c.i;
  if (start >= end || !is(s.charCodeAt(start), KEY_START)) throw SYNTAX;
  let i = start + 1;
  while (i < end && is(s.charCodeAt(i), KEY)) i++;
  c.i = i;
  return s.slice(start, i);
}

/** A string at the cursor (its raw text is canonical: only \\ and \" are escapes). */
export function string(c: Cursor): string {
  const { s, end } = c;
  const start = c.i + 1;
  let i = start;
  let escaped = false;
  for (;;) {
    if (i >= end) throw SYNTAX; // unterminated
    const ch = s.charCodeAt(i);
    if (ch === 34) break;
    if (ch === 92) {
      const next = i + 1 < end ? s.charCodeAt(i + 1) : -1;
      if (next !== 34 && next !== 92) throw SYNTAX;
      escaped = true;
      i += 2;
    } else if (ch >= 0x20 && ch <= 0x7e) i++;
    else throw SYNTAX; // a control or non-ASCII character
  }
  c.i = i + 1;
  const raw = s.slice(start, i);
  return escaped ? raw.replace(/\\(.)/g, '$1') : raw;
}

function integer(c: Cursor): number {
  const { s, end } = c;
  let i = c.i;
  const negative = s.charCodeAt(i) === 45;
  if (negative) i++;
  const first = i;
  let n = 0;
  for (; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) break;
    if (i - first === 15) throw SYNTAX; // a 16th digit
    n = n * 10 + (ch - 48);
  }
  if (i === first) throw SYNTAX;
  if (i < end && s.charCodeAt(i) === 46) throw UNSUPPORTED; // a decimal: valid, not used here
  // Leading zeros and -0 are not how an integer serializes.
  if ((s.charCodeAt(first) === 48 && i - first > 1) || (negative && n === 0)) {
    c.canonical = false;
  }
  c.i = i;
  return negative && n !== 0 ? -n : n;
}

function paramValue(c: Cursor): SfParamValue {
  const { s, end } = c;
  const ch = c.at();
  if (ch === 34) return string(c);
  if (ch === 45 || (ch >= 48 && ch <= 57)) return integer(c);
  if (ch === 42 || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)) {
    const start = c.i;
    let i = start + 1;
    while (i < end && is(s.charCodeAt(i), TOKEN)) i++;
    c.i = i;
    return new SfToken(s.slice(start, i));
  }
  if (ch === 63) {
    const b = c.i + 1 < end ? s.charCodeAt(c.i + 1) : -1;
    if (b !== 48 && b !== 49) throw SYNTAX;
    c.i += 2;
    if (b === 49) c.canonical = false; // a true parameter serializes as the bare key
    return b === 49;
  }
  // Byte sequences, dates and display strings are valid values that no parameter here takes.
  if (ch === 58 || ch === 64 || ch === 37) throw UNSUPPORTED;
  throw SYNTAX;
}

/** The parameters at the cursor (none: NONE); a repeated name takes its last value. */
export function params(c: Cursor): readonly SfParam[] {
  if (c.at() !== 59) return NONE;
  const list: SfParam[] = [];
  while (c.at() === 59) {
    c.i++;
    if (c.skipSp()) c.canonical = false;
    const k = key(c);
    let value: SfParamValue = true;
    if (c.at() === 61) {
      c.i++;
      value = paramValue(c);
    }
    // A repeated key keeps its first position and takes the last value.
    let at = 0;
    while (at < list.length && (list[at] as SfParam).key !== k) at++;
    if (at < list.length) {
      list[at] = { key: k, value };
      c.canonical = false;
    } else if (list.push({ key: k, value }) > c.limits.params) throw LIMIT;
  }
  return list;
}

/** A byte sequence at the cursor; returns its base64 text, validated, padding dropped. */
export function byteSequence(c: Cursor): string {
  const s = c.s;
  const start = c.i + 1;
  const end = s.indexOf(':', start);
  if (end < 0) throw SYNTAX;
  for (let j = start; j < end; j++) if (!is(s.charCodeAt(j), B64)) throw SYNTAX;
  // Padding is optional; '=' may only end a 4-character group (as atob/forgiving-base64 decides).
  let len = end - start;
  if (len % 4 === 0 && len > 0 && s.charCodeAt(end - 1) === 61) {
    len--;
    if (s.charCodeAt(end - 2) === 61) len--;
  }
  const base64 = s.slice(start, start + len);
  if (len % 4 === 1 || base64.includes('=')) throw SYNTAX;
  c.i = end + 1;
  return base64;
}

/** The canonical serialization of parameters (for text that was not canonical as sent). */
export function serializeParams(list: readonly SfParam[]): string {
  let text = '';
  for (const { key: k, value } of list) {
    text += ';' + k;
    if (value === true) continue;
    if (typeof value === 'string') text += '="' + value.replace(/[\\"]/g, '\\$&') + '"';
    else if (typeof value === 'number') text += '=' + String(value);
    else if (value === false) text += '=?0';
    else text += '=' + value.value;
  }
  return text;
}

/** True for a valid dictionary key or parameter name (lower case). */
export function isKeyText(value: string): boolean {
  if (value === '' || !is(value.charCodeAt(0), KEY_START)) return false;
  for (let i = 1; i < value.length; i++) if (!is(value.charCodeAt(i), KEY)) return false;
  return true;
}

/**
 * A value of a kind the caller does not take: 'unsupported' if it starts like a valid one (an
 * item, or an inner list where one may stand), else 'syntax'. Refused either way, and at once,
 * even if a later duplicate key would replace it.
 */
export function otherItem(c: Cursor, innerListAllowed: boolean): never {
  const ch = c.at();
  const item =
    ch === 34 || ch === 45 || ch === 42 || ch === 58 || ch === 63 || ch === 64 || ch === 37;
  if (ch === 40 && innerListAllowed) throw UNSUPPORTED;
  throw item || (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)
    ? UNSUPPORTED
    : SYNTAX;
}
