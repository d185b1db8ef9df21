import {
  MASK,
  TOO_DEEP,
  isEmpty,
  redactQuery,
  redactValue,
  redacts,
  type Redaction,
} from './redact';

const MAX_DEPTH = 64;

interface Frame {
  readonly array: boolean;
  /** The path of this container. */
  readonly base: readonly string[];
  /** In an object: the last key read, lower case. */
  key?: string;
}

/** Index just past the JSON string opening at `i` (or the end of a cut text). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, text.length);
}

/** Index just past the JSON value starting at `i`: balanced brackets, strings skipped. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c !== '{' && c !== '[') {
    let j = i;
    while (j < text.length && !/[,}\]\s]/.test(text[j] as string)) j++;
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const d = text[j] as string;
    if (d === '"') {
      j = stringEnd(text, j);
      continue;
    }
    if (d === '{' || d === '[') depth++;
    else if ((d === '}' || d === ']') && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

function keyOf(quoted: string): string {
  try {
    return String(JSON.parse(quoted)).toLowerCase();
  } catch {
    return quoted.slice(1, -1).toLowerCase();
  }
}

/**
 * Masks values in JSON text that does not parse, typically a body cut at the byte budget: the
 * keys and nesting seen so far decide, as they would in the whole document, so a cut never
 * prints what the whole body would have masked.
 */
export function redactJsonPrefix(text: string, r: Redaction): string {
  const stack: Frame[] = [];
  const here = (): readonly string[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return top.array ? top.base : [...top.base, top.key ?? ''];
  };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) return `${out}"${TOO_DEEP}"`;
      stack.push({ array: c === '[', base: here() });
      out += c;
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      out += c;
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      const top = stack[stack.length - 1];
      let j = end;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (top && !top.array && text[j] === ':') {
        top.key = keyOf(text.slice(i, end));
        out += text.slice(end, j + 1);
        j++;
        while (j < text.length && /\s/.test(text[j] as string)) j++;
        if (redacts(r, here())) {
          out += `"${MASK}"`;
          j = valueEnd(text, j);
        }
      }
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * A body given as text (a text body, a response as written), masked as far as its type allows:
 * JSON as data (or as a cut prefix), url-encoded forms per field; other text as is.
 */
export function redactText(text: string, contentType: string, r: Redaction): string {
  if (isEmpty(r)) return text;
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) return redactQuery(text, r);
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[' && !/json/i.test(contentType)) return text;
  try {
    return JSON.stringify(redactValue(JSON.parse(text), r));
  } catch {
    return start === '{' || start === '[' ? redactJsonPrefix(text, r) : text;
  }
}
