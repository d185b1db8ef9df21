import { HttpException } from '@nestjs/common';
import { setResponseHeader } from './http.adapter';

/** JSON body of every rejection: a stable `code` plus per-protection extra fields. */
export interface RejectionBody {
  statusCode: number;
  code: string;
  message: string;
  [extra: string]: unknown;
}

/** What a rejection's replacement body function receives. */
export interface RejectionContext {
  /** The default body the library would have sent. */
  readonly body: RejectionBody;
  /** The Fastify or Express request. */
  readonly request: unknown;
}

/**
 * Replaces a protection's rejection: status, body, or content type. Module option
 * `<protection>.response`.
 */
export interface RejectionResponseOptions {
  /** HTTP status to answer with instead of the protection's default. */
  status?: number;
  /** A fixed JSON body, or a function of the default body and the request. */
  body?: Record<string, unknown> | ((ctx: RejectionContext) => Record<string, unknown>);
  /** A JSON media type for the body, e.g. `application/problem+json`. @default 'application/json' */
  contentType?: string;
}

/**
 * Base class of every rejection the library throws. An ordinary `HttpException`, so Nest's
 * default filter renders it and a user filter can catch it.
 */
export class ProtectionException extends HttpException {
  /** Stable machine-readable code, e.g. `DEBOUNCED`. */
  readonly code: string;

  /** Headers the rejection carries (already written to the response when thrown by us). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    body: RejectionBody | Record<string, unknown>,
    status: number,
    code: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    // A rejection is an answer, not a fault: no stack trace (capturing one through Nest's call
    // chain cost more than the rest of a refusal).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(body, status);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * Writes a rejection's headers (`Retry-After`, tickets...) and its JSON content type to the
 * response, then throws it, so Nest's filter (or the user's) renders the rest.
 */
export function reject(
  res: object | undefined,
  exception: ProtectionException,
  contentType?: string,
): never {
  throw prepared(res, exception, contentType);
}

/**
 * `reject` without the throw: the exception, its headers written. For a hot path that hands it
 * on as a rejected promise: V8 optimizes a function only once it has returned a number of
 * times, so one that always throws (every call during a flood of refusals) stays interpreted.
 */
export function prepared(
  res: object | undefined,
  exception: ProtectionException,
  contentType?: string,
): ProtectionException {
  if (res) {
    for (const [name, value] of Object.entries(exception.headers))
      setResponseHeader(res, name, value);
    // Always set: a route's own @Header('Content-Type', 'text/plain') must not apply to JSON.
    // Exactly 'application/json': Nest 11's FastifyAdapter warns on any other type for a 4xx body.
    setResponseHeader(res, 'Content-Type', contentType ?? 'application/json');
  }
  return exception;
}

/** Builds the body and status for a rejection, honouring `response` overrides. */
export function renderRejection(
  body: RejectionBody,
  override: RejectionResponseOptions | undefined,
  request: unknown,
): { status: number; body: RejectionBody | Record<string, unknown>; contentType?: string } {
  if (!override) return { status: body.statusCode, body };
  const status = override.status ?? body.statusCode;
  const base: RejectionBody = { ...body, statusCode: status };
  const custom =
    typeof override.body === 'function' ? override.body({ body: base, request }) : override.body;
  return {
    status,
    body: custom ?? base,
    ...(override.contentType ? { contentType: override.contentType } : {}),
  };
}
