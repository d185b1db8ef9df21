import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { rawRequest, rawResponse, requestMethod, requestUrl } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ProxyTrust } from '../core/client-ip';
import { requestIdOf } from '../core/request-context';
import { routeMethod, routePath } from '../core/route-key';
import { bodyData, cut, describeRequestBody, describeResponseBody } from './log-body';
import { escapeControl } from './log-escape';
import type { LogCondition, LoggingModuleOptions } from './logging-options.interface';
import { MultipartTap } from './multipart-tap';
import { MASK, compileRedaction, redactUrl, type Redaction } from './redact';

const logger = new Logger('ProtectionLogging');

/** Every line goes out through here: one request, one line, whatever the client sent. */
function emit(text: string, level: 'log' | 'warn' = 'log'): void {
  logger[level](escapeControl(text));
}

function pickHeaders(
  headers: Record<string, unknown>,
  select: LogCondition['requestHeaders'],
  r: Redaction,
): Record<string, unknown> | undefined {
  if (!select) return undefined;
  const wanted =
    typeof select === 'function'
      ? select
      : (n: string) => select.some((s) => s.toLowerCase() === n);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && wanted(lower)) out[name] = r.names.has(lower) ? MASK : value;
  }
  return out;
}

/** One line's content; a json-format line is this object, a text line reads it in order. */
interface LogEntry {
  type: 'request' | 'response';
  method: string;
  url: string;
  requestId: string;
  status?: number;
  ms?: number;
  headers?: Record<string, unknown>;
}

/** A body as a line shows it: text for text lines, data (JSON when whole) for json lines. */
interface ShownBody {
  text: string;
  data: () => unknown;
}

function render(json: boolean, e: LogEntry, body: ShownBody | undefined): string {
  if (json) return JSON.stringify(body ? { ...e, body: body.data() } : e);
  const head =
    e.type === 'request'
      ? `--> ${e.method} ${e.url} [${e.requestId}]`
      : `<-- ${e.status} ${e.method} ${e.url} [${e.requestId}] ${e.ms} ms`;
  return (
    head +
    (e.headers ? ` headers=${JSON.stringify(e.headers)}` : '') +
    (body ? ` body=${body.text}` : '')
  );
}

/** Starts logging one request per its `LogCondition`; never throws into the request. */
export function logRequest(
  options: LoggingModuleOptions,
  req: ProtectionRequest,
  res: ProtectionResponse,
  requestIdHeader: string,
  trust: ProxyTrust,
): void {
  let condition: LogCondition | null | undefined;
  try {
    condition = options.when(req, { method: routeMethod(req), path: routePath(req) });
  } catch (err) {
    emit(`logging.when threw: ${String(err)}`, 'warn');
    return;
  }
  if (!condition) {
    MultipartTap.of(rawRequest(req))?.stop();
    return;
  }
  try {
    const c = condition;
    const json = options.format === 'json';
    const started = performance.now();
    const max = c.maxBodyBytes ?? 4096;
    const r = compileRedaction(c.redact);
    const base = {
      method: requestMethod(req),
      url: redactUrl(requestUrl(req), r),
      requestId: requestIdOf(req, requestIdHeader, trust, res),
    };
    const tap = MultipartTap.of(rawRequest(req));
    if (tap && !c.requestBody) tap.stop();
    const requestText = (): string => {
      const body = c.requestBody ? describeRequestBody(req, tap, r) : undefined;
      const shown = c.requestBody
        ? {
            text: body ? cut(body.text, max) : '',
            data: () => (body ? bodyData(body, max) : undefined),
          }
        : undefined;
      const headers = pickHeaders(req.headers, c.requestHeaders, r);
      return render(json, { type: 'request', ...base, headers }, shown);
    };
    // A multipart body arrives after this point (the handler's parser reads it): its line waits
    // for the body to go by, or for the response, whichever comes first.
    let requestLogged = c.request === false;
    const logRequestLine = (): void => {
      if (requestLogged) return;
      requestLogged = true;
      emit(requestText());
    };
    if (!c.after) {
      if (tap && c.requestBody) tap.whenDone(() => safely(logRequestLine));
      else logRequestLine();
    }
    const raw = rawResponse(res);
    const chunks: Buffer[] = [];
    let size = 0;
    let head: Record<string, unknown> = {};
    if (c.responseBody || c.responseHeaders) captureHead(raw, (h) => (head = h));
    if (c.responseBody)
      captureBody(raw, (chunk) => {
        if (size < max) chunks.push(chunk);
        size += chunk.length;
      });
    raw.once('finish', () => {
      try {
        logRequestLine();
        if (c.response === false) return;
        const ms = Math.round(performance.now() - started);
        const sent = { ...raw.getHeaders(), ...head };
        const headers = pickHeaders(sent, c.responseHeaders, r);
        let shown: ShownBody | undefined;
        if (c.responseBody) {
          const text = Buffer.concat(chunks).toString('utf8');
          const body = describeResponseBody(text, sent['content-type'], r);
          // Past the budget only the first bytes were kept: what is shown says how many went unseen.
          const whole = size <= max;
          const shownText = whole
            ? cut(body.text, max)
            : `${body.text.slice(0, max)}...[cut ${size - max} bytes]`;
          shown = { text: shownText, data: () => (whole ? bodyData(body, max) : shownText) };
        }
        const entry: LogEntry = { type: 'response', ...base, status: raw.statusCode, ms, headers };
        emit(render(json, entry, shown));
      } catch (err) {
        emit(`response log failed: ${String(err)}`, 'warn');
      }
    });
  } catch (err) {
    emit(`request log failed: ${String(err)}`, 'warn');
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    emit(`request log failed: ${String(err)}`, 'warn');
  }
}

/** Headers handed to `writeHead` (Fastify sets them there, not with setHeader), lower-case names. */
function captureHead(
  res: ServerResponse,
  onHead: (headers: Record<string, unknown>) => void,
): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .apply(this)
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    safely(() => {
      const given = args[args.length - 1];
      const out: Record<string, unknown> = {};
      if (Array.isArray(given)) {
        // Node takes a flat [name, value, ...] list here.
        for (let i = 0; i + 1 < given.length; i += 2)
          out[String(given[i]).toLowerCase()] = given[i + 1];
      } else if (given && typeof given === 'object') {
        for (const [name, value] of Object.entries(given)) out[name.toLowerCase()] = value;
      }
      onHead(out);
    });
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  };
}

/** Observes what is written to the Node response, without changing it. */
function captureBody(res: ServerResponse, onChunk: (chunk: Buffer) => void): void {
  /* eslint-disable @typescript-eslint/unbound-method -- called with .apply(this) */
  const write = res.write;
  const end = res.end;
  /* eslint-enable @typescript-eslint/unbound-method */
  const take = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    onChunk(
      Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(
            // Node's write() and end() take a string, a Buffer or a Uint8Array.
            String(chunk as string | Uint8Array),
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          ),
    );
  };
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    take(args[0], args[1]);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    take(args[0], args[1]);
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
}
