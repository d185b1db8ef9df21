// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: any of them can end a
// log line or drive a terminal, so none is ever printed raw.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g; // eslint-disable-line no-control-regex

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every control character written as an escape (`\n`, `\r`, `\t`, `\u001b`...), so
 * one logged value is always one line. The escapes are JSON's, so JSON text stays valid JSON.
 */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL,
    (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
