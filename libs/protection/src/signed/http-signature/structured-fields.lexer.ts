/**
 * The character-level half of the structured-field parser: keys, strings, integers, tokens,
 * booleans and parameters, read with charCodeAt from a cursor. A failure is thrown as one of three
 * preallocated errors and caught by the callers in structured-fields.ts; nothing escapes them.
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

// Character classes for ASCII codes: a key's first character, a key character, a token
// character, a base64 character.
/** Class bit: may start a key. */
export const KEY_START = 1;
/** Class bit: may continue a key. */
export const KEY = 2;
const TOKEN = 4;
/** Class bit: base64 (with '='). */
export const B64 = 8;
const CLASS = new Uint8Array(128);
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
/** Whether character code `c` is in class `k`. */
export const is = (c: number, k: number): boolean => c < 128 && ((CLASS[c] as number) & k) !== 0;

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

/** The text being parsed, the position in it, and the bounds that apply. */
export class Cursor {
  i = 0;
  constructor(
    readonly s: string,
    readonly limits: SfLimits,
  ) {}
  at(): number {
    return this.s.charCodeAt(this.i); // NaN past the end: matches no class
  }
  skipSp(): void {
    while (this.s.charCodeAt(this.i) === 32) this.i++;
  }
}

/** A key (dictionary member or parameter name) at the cursor. */
export function key(c: Cursor): string {
  const start = c.i;
  if (!is(c.at(), KEY_START)) throw SYNTAX;
  c.i++;
  while (is(c.at(), KEY)) c.i++;
  return c.s.slice(start, c.i);
}

/** A string at the cursor; returns its value, leaving its raw (canonical) text to the caller. */
export function string(c: Cursor): string {
  const start = ++c.i;
  let escaped = false;
  for (;;) {
    const ch = c.at();
    if (ch === 34) break;
    if (ch === 92) {
      const next = c.s.charCodeAt(c.i + 1);
      if (next !== 34 && next !== 92) throw SYNTAX;
      escaped = true;
      c.i += 2;
    } else if (ch >= 0x20 && ch <= 0x7e) c.i++;
    else throw SYNTAX; // a control or non-ASCII character, or the end of the text
  }
  const raw = c.s.slice(start, c.i++);
  return escaped ? raw.replace(/\\(.)/g, '$1') : raw;
}

function integer(c: Cursor): number {
  const negative = c.at() === 45;
  if (negative) c.i++;
  let n = 0;
  let digits = 0;
  for (let ch = c.at(); ch >= 48 && ch <= 57; ch = c.at()) {
    n = n * 10 + (ch - 48);
    c.i++;
    if (++digits > 15) throw SYNTAX;
  }
  if (digits === 0) throw SYNTAX;
  if (c.at() === 46) throw UNSUPPORTED; // a decimal: valid, not used here
  return negative && n !== 0 ? -n : n;
}

/** A parameter value; returns the value and its canonical text. */
function paramValue(c: Cursor): [SfParamValue, string] {
  const ch = c.at();
  const start = c.i;
  if (ch === 34) {
    const value = string(c);
    return [value, c.s.slice(start, c.i)];
  }
  if (ch === 45 || (ch >= 48 && ch <= 57)) {
    const n = integer(c);
    return [n, String(n)];
  }
  if (ch === 42 || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122)) {
    c.i++;
    while (is(c.at(), TOKEN)) c.i++;
    const text = c.s.slice(start, c.i);
    return [new SfToken(text), text];
  }
  if (ch === 63) {
    const b = c.s.charCodeAt(c.i + 1);
    if (b !== 48 && b !== 49) throw SYNTAX;
    c.i += 2;
    return [b === 49, b === 49 ? '' : '?0'];
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
    c.skipSp();
    const k = key(c);
    let value: SfParamValue = true;
    let text = ';' + k;
    if (c.at() === 61) {
      c.i++;
      const [v, t] = paramValue(c);
      value = v;
      if (t !== '') text += '=' + t;
    }
    const param = { key: k, value, text };
    // A repeated key keeps its first position and takes the last value.
    const at = list.findIndex((p) => p.key === k);
    if (at >= 0) list[at] = param;
    else if (list.push(param) > c.limits.params) throw LIMIT;
  }
  return list;
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
