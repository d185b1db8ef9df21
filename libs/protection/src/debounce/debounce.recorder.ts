import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { DebounceOutcome } from './store/debounce.port';

/** Headers never replayed: hop-by-hop ones, and those that belong to one response only. */
const NOT_REPLAYED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'content-length',
  'date',
  'x-request-id',
  'x-debounce',
]);

function collectHeaders(target: Record<string, string | string[]>, headers: unknown): void {
  if (!headers || typeof headers !== 'object') return;
  if (Array.isArray(headers)) {
    // writeHead also accepts a flat [name, value, name, value] list.
    for (let i = 0; i + 1 < headers.length; i += 2) {
      addHeader(target, String(headers[i]), headers[i + 1] as OutgoingHttpHeader);
    }
    return;
  }
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders))
    addHeader(target, name, value);
}

function addHeader(
  target: Record<string, string | string[]>,
  name: string,
  value: OutgoingHttpHeader | undefined,
): void {
  const lower = name.toLowerCase();
  if (NOT_REPLAYED.has(lower) || value === undefined) return;
  target[lower] = Array.isArray(value) ? value.map(String) : String(value);
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer | null {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return null;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array)
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  // Node's end() has already accepted the chunk, so what is left is a string.
  return Buffer.from(
    String(chunk as string),
    typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
  );
}

/**
 * Watches what the leader's client actually receives, whoever writes it (the handler's
 * serializer, an exception filter, a user filter), and reports it once as a reusable
 * response, or as "failed" for 5xx, 401, 403, HEAD, streamed and oversized responses and for a
 * connection closed before the end.
 */
export function recordResponse(
  res: ServerResponse,
  options: { head: boolean; maxBodyBytes: number },
  onDone: (outcome: DebounceOutcome) => void,
): void {
  /* eslint-disable @typescript-eslint/unbound-method -- kept to be put back, called with .apply(this) */
  const originalWriteHead = res.writeHead;
  const originalWrite = res.write;
  const originalEnd = res.end;
  /* eslint-enable @typescript-eslint/unbound-method */
  const headHeaders: Record<string, string | string[]> = {};
  let streamed = false;
  let reported = false;

  const report = (outcome: DebounceOutcome): void => {
    if (reported) return;
    reported = true;
    res.writeHead = originalWriteHead;
    res.write = originalWrite;
    res.end = originalEnd;
    onDone(outcome);
  };

  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (args.length > 1) collectHeaders(headHeaders, last);
    return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  };

  res.write = function (this: ServerResponse, ...args: unknown[]) {
    // A write before end means a stream or chunked body: not kept.
    streamed = true;
    return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];

  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const result = (originalEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
    // 401 and 403 speak about one request's credentials: never handed to anyone else.
    const status = res.statusCode;
    if (streamed || options.head || status >= 500 || status === 401 || status === 403) {
      report({ kind: 'failed' });
      return result;
    }
    const body = toBuffer(args[0], args[1]) ?? Buffer.alloc(0);
    if (body.length > options.maxBodyBytes) {
      report({ kind: 'failed' });
      return result;
    }
    const headers: Record<string, string | string[]> = {};
    collectHeaders(headers, res.getHeaders());
    Object.assign(headers, headHeaders);
    report({
      kind: 'response',
      response: { status: res.statusCode, headers, body: Buffer.from(body) },
    });
    return result;
  } as ServerResponse['end'];

  res.once('close', () => report({ kind: 'failed' }));
}
