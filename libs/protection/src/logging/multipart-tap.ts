import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';

/** A file part as logged: never its content. */
export interface TappedFile {
  readonly field: string;
  readonly name: string;
  readonly type: string;
  size: number;
}

/** What a multipart body held, as far as it went by. */
export interface TappedBody {
  readonly fields: Record<string, string | string[]>;
  readonly files: TappedFile[];
  /** The body went by to its end (false when the response ended first or the body was cut short). */
  readonly complete: boolean;
}

/** Bounds for one body: how many parts are described, whatever the upload holds. */
const LIMITS = { parts: 200, fields: 100, files: 100, headerPairs: 64 } as const;

const taps = new WeakMap<IncomingMessage, MultipartTap>();

/**
 * Watches a multipart body go by without reading it. Logging runs before any multipart parser
 * (multer, @fastify/multipart) and must not take the body from it, so the tap wraps the
 * request's own `push`, which Node's HTTP parser calls for every body chunk: whoever reads the
 * body later gets exactly the same bytes at the same pace, and busboy parses a copy. Only field
 * values (up to the log's byte budget), file names, types and sizes are kept.
 */
export class MultipartTap {
  private readonly fields: Record<string, string | string[]> = {};
  private readonly files: TappedFile[] = [];
  private textBytes = 0;
  private complete = false;
  private failed = false;
  private finished = false;
  private stopped = false;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly parser: busboy.Busboy,
    private readonly maxTextBytes: number,
  ) {
    parser.on('field', (name, value) => this.field(name, value));
    parser.on('file', (field, stream, info) => {
      const file: TappedFile = { field, name: info.filename ?? '', type: info.mimeType, size: 0 };
      if (this.files.length < LIMITS.files) this.files.push(file);
      stream.on('data', (chunk: Buffer) => (file.size += chunk.length));
      // A body cut inside a file part errors the part's stream too: unheard, that error would
      // crash the process (any client could send one).
      stream.on('error', () => (this.failed = true));
      stream.resume();
    });
    parser.on('close', () => {
      this.complete ||= !this.failed;
      this.finish();
    });
    // A malformed body is the parser's (and the handler's) business; the log says what went by.
    parser.on('error', () => {
      this.failed = true;
      this.finish();
    });
  }

  /**
   * Starts watching when `req` carries a multipart body (called from the server's `request`
   * listener, before any chunk of the body is pushed). Costs one header check otherwise.
   */
  static attach(req: IncomingMessage, maxTextBytes = 64 * 1024): MultipartTap | undefined {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !/^multipart\/form-data/i.test(type)) return undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { ...LIMITS, fieldSize: maxTextBytes } });
    } catch {
      return undefined; // no boundary: nothing a parser could read either
    }
    const tap = new MultipartTap(parser, maxTextBytes);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
    const push = req.push;
    req.push = function (
      this: IncomingMessage,
      chunk: unknown,
      encoding?: BufferEncoding,
    ): boolean {
      tap.feed(chunk);
      return push.call(this, chunk, encoding);
    };
    req.once('close', () => tap.finish());
    taps.set(req, tap);
    return tap;
  }

  /** The tap of this raw request, if one was attached. */
  static of(req: IncomingMessage): MultipartTap | undefined {
    return taps.get(req);
  }

  /** Nobody logs this body: stop parsing the copy (the request itself is untouched). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.parser.removeAllListeners('file');
    this.parser.on('error', () => undefined);
    this.parser.destroy();
    this.finish();
  }

  /** Calls `fn` once the body has gone by, failed, or the request closed (at once if it has). */
  whenDone(fn: () => void): void {
    if (this.finished) fn();
    else this.waiters.push(fn);
  }

  /** What went by so far. */
  snapshot(): TappedBody {
    return { fields: this.fields, files: this.files, complete: this.complete };
  }

  private feed(chunk: unknown): void {
    if (this.stopped) return;
    try {
      if (chunk === null) this.parser.end();
      else if (Buffer.isBuffer(chunk)) this.parser.write(chunk);
    } catch {
      // Never let the copy's parser fail the real request.
      this.stop();
    }
  }

  private field(name: string, value: string): void {
    // The log line is cut at the same budget, so text beyond it would never be printed.
    if (this.textBytes >= this.maxTextBytes) return;
    this.textBytes += name.length + value.length;
    const seen = this.fields[name];
    if (seen === undefined) this.fields[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else this.fields[name] = [seen, value];
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const fn of this.waiters.splice(0)) fn();
  }
}
