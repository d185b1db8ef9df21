import type { IncomingMessage } from 'node:http';

/** What a signed request's digest is checked against. */
export type RawBody = Buffer | 'too-large';

interface Tap {
  chunks: Buffer[];
  size: number;
  overflow: boolean;
  done: boolean;
  waiters: Array<() => void>;
}

const taps = new WeakMap<IncomingMessage, Tap>();

/** Whether the request announces a body (a length above 0, or a chunked body). */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Keeps a copy of a signed request's body bytes, for its Content-Digest, without reading the
 * body: the request's own `push` (which Node's HTTP parser calls for every chunk) is wrapped, so
 * whichever parser reads the body later gets it unchanged and handlers see what they always see.
 * Called from the server's `request` listener, before the first chunk. Bounded by `max`.
 */
export function tapRawBody(req: IncomingMessage, max: number): void {
  if (!announcesBody(req)) return;
  const tap: Tap = { chunks: [], size: 0, overflow: false, done: false, waiters: [] };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
  const push = req.push;
  req.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) finish(tap);
    else if (!tap.overflow && Buffer.isBuffer(chunk)) {
      tap.size += chunk.length;
      if (tap.size > max) {
        tap.overflow = true;
        tap.chunks = [];
      } else tap.chunks.push(chunk);
    }
    return push.call(this, chunk, encoding);
  };
  req.once('close', () => finish(tap));
  taps.set(req, tap);
}

/**
 * The request's raw body: Nest's own copy when the app was created with `rawBody: true`, else
 * the tap's. undefined when the request has none. A body nobody parsed (a media type without a
 * parser) is drained here, since only its digest is wanted.
 */
export async function rawBodyOf(req: IncomingMessage): Promise<RawBody | undefined> {
  const own = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(own)) return own;
  const tap = taps.get(req);
  if (!tap) return undefined;
  if (!tap.done) {
    await new Promise<void>((resolve) => {
      tap.waiters.push(resolve);
      if (req.readableFlowing === null) req.resume();
    });
  }
  if (tap.overflow) return 'too-large';
  return tap.chunks.length === 1 ? tap.chunks[0] : Buffer.concat(tap.chunks, tap.size);
}

function finish(tap: Tap): void {
  if (tap.done) return;
  tap.done = true;
  for (const wake of tap.waiters.splice(0)) wake();
}
