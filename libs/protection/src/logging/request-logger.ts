import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { rawRequest, rawResponse, requestMethod, requestUrl } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import type { ProxyTrust } from '../core/client-ip';
import { requestIdOf } from '../core/request-context';
import { routeMethod, routePath } from '../core/route-key';
import type { LogCondition, LoggingModuleOptions } from './logging-options.interface';
import { MultipartTap } from './multipart-tap';

const MASK = '[REDACTED]';
const logger = new Logger('ProtectionLogging');

function pickHeaders(
  headers: Record<string, unknown>,
  select: LogCondition['requestHeaders'],
  redact: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (!select) return undefined;
  const wanted =
    typeof select === 'function'
      ? select
      : (n: string) => select.some((s) => s.toLowerCase() === n);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && wanted(name.toLowerCase()))
      out[name] = redact.has(name.toLowerCase()) ? MASK : value;
  }
  return out;
}

/** A copy of `body` with the values at the redacted paths masked; the original is untouched. */
function redactBody(body: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0 || body === null || typeof body !== 'object') return body;
  let copy: unknown;
  try {
    copy = structuredClone(body);
  } catch {
    return '[unloggable body]';
  }
  for (const path of paths) {
    const parts = path.split('.');
    let node = copy as Record<string, unknown> | undefined;
    for (let i = 0; node && typeof node === 'object' && i < parts.length; i++) {
      const key = parts[i] as string;
      if (i === parts.length - 1) {
        if (key in node) node[key] = MASK;
      } else {
        node = node[key] as Record<string, unknown> | undefined;
      }
    }
  }
  return copy;
}

interface ParsedFile {
  fieldname?: string;
  originalname?: string;
  filename?: string;
  size?: number;
}

/** Multipart as fields plus files by name and size, from the tap, else from what a parser left on req. */
function describeMultipart(
  req: ProtectionRequest,
  tap: MultipartTap | undefined,
  paths: readonly string[],
): string {
  if (tap) {
    const seen = tap.snapshot();
    const files = seen.files.map((f) => ({
      field: f.field,
      name: f.name,
      type: f.type,
      size: f.size,
    }));
    return JSON.stringify({
      fields: redactBody(seen.fields, paths),
      files,
      ...(seen.complete ? {} : { partial: true }),
    });
  }
  const parsed = (req as { files?: unknown }).files ?? (req as { file?: unknown }).file;
  const list = (
    Array.isArray(parsed)
      ? parsed
      : parsed && typeof parsed === 'object'
        ? Object.values(parsed).flat()
        : []
  ) as ParsedFile[];
  const files = list.map((f) => ({
    field: f.fieldname,
    name: f.originalname ?? f.filename,
    size: f.size,
  }));
  return JSON.stringify({ fields: redactBody(req.body ?? {}, paths), files });
}

function describeBody(
  req: ProtectionRequest,
  tap: MultipartTap | undefined,
  paths: readonly string[],
  max: number,
): string {
  if (tap || String(req.headers['content-type'] ?? '').startsWith('multipart/'))
    return cut(describeMultipart(req, tap, paths), max);
  const body = req.body;
  if (body === undefined) return '';
  if (Buffer.isBuffer(body)) return cut(`<${body.length} bytes>`, max);
  return cut(typeof body === 'string' ? body : JSON.stringify(redactBody(body, paths)), max);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...[cut ${text.length - max} chars]`;
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
    logger.warn(`logging.when threw: ${String(err)}`);
    return;
  }
  if (!condition) {
    MultipartTap.of(rawRequest(req))?.stop();
    return;
  }
  try {
    const c = condition;
    const started = performance.now();
    const max = c.maxBodyBytes ?? 4096;
    const redact = c.redact ?? [];
    const redactHeaders = new Set(redact.map((r) => r.toLowerCase()));
    const rid = requestIdOf(req, requestIdHeader, trust, res);
    const line = `${requestMethod(req)} ${requestUrl(req)}`;
    const tap = MultipartTap.of(rawRequest(req));
    if (tap && !c.requestBody) tap.stop();
    const requestText = (): string => {
      const headers = pickHeaders(req.headers, c.requestHeaders, redactHeaders);
      return (
        `--> ${line} [${rid}]` +
        (headers ? ` headers=${JSON.stringify(headers)}` : '') +
        (c.requestBody ? ` body=${describeBody(req, tap, redact, max)}` : '')
      );
    };
    // A multipart body arrives after this point (the handler's parser reads it): its line waits
    // for the body to go by, or for the response, whichever comes first.
    let requestLogged = c.request === false;
    const logRequestLine = (): void => {
      if (requestLogged) return;
      requestLogged = true;
      logger.log(requestText());
    };
    if (!c.after) {
      if (tap && c.requestBody) tap.whenDone(() => safely(logRequestLine));
      else logRequestLine();
    }
    const raw = rawResponse(res);
    const chunks: Buffer[] = [];
    let size = 0;
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
        const headers = pickHeaders(raw.getHeaders(), c.responseHeaders, redactHeaders);
        const body = c.responseBody
          ? cut(Buffer.concat(chunks).toString('utf8'), max) +
            (size > max ? `...[cut ${size - max} bytes]` : '')
          : undefined;
        logger.log(
          `<-- ${raw.statusCode} ${line} [${rid}] ${ms} ms` +
            (headers ? ` headers=${JSON.stringify(headers)}` : '') +
            (body !== undefined ? ` body=${body}` : ''),
        );
      } catch (err) {
        logger.warn(`response log failed: ${String(err)}`);
      }
    });
  } catch (err) {
    logger.warn(`request log failed: ${String(err)}`);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.warn(`request log failed: ${String(err)}`);
  }
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
