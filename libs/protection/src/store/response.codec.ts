import type { RawReply } from '../core/raw-reply';

/** A response as its client received it, kept so duplicates can be answered with it. */
export type StoredResponse = RawReply;

/*
 * A stored response travels as `<JSON head>\n<body bytes>`: the head never holds a raw newline
 * (JSON escapes it), and the body stays binary without base64's cost.
 */

export function encodeResponse(response: StoredResponse): Buffer {
  const head = Buffer.from(JSON.stringify({ s: response.status, h: response.headers }) + '\n');
  return Buffer.concat([head, response.body]);
}

export function decodeResponse(data: Buffer): StoredResponse | null {
  const nl = data.indexOf(10);
  if (nl < 0) return null;
  try {
    const head = JSON.parse(data.toString('utf8', 0, nl)) as {
      s: number;
      h: Record<string, string | string[]>;
    };
    return { status: head.s, headers: head.h, body: data.subarray(nl + 1) };
  } catch {
    return null;
  }
}
