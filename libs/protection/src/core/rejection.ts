import {
  ProtectionException,
  reject,
  renderRejection,
  type RejectionBody,
  type RejectionResponseOptions,
} from './protection.exception';

/** One protection answer, defined once: its body, its rendering and its OpenAPI schema derive from it. */
export interface Preset<X extends Record<string, unknown> = Record<never, never>> {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** The default JSON body, with the answer's extra fields. */
  body(extra?: X): RejectionBody;
  /** The body's JSON schema for Swagger. */
  schema(): Record<string, unknown>;
}

/** A preset from its status, code and message; `extra`: JSON schemas of its extra fields (`X`). */
export function preset<X extends Record<string, unknown> = Record<never, never>>(
  status: number,
  code: string,
  message: string,
  extra: Record<string, Record<string, unknown>> = {},
): Preset<X> {
  return Object.freeze({
    status,
    code,
    message,
    body: (fields?: X): RejectionBody => ({ statusCode: status, code, message, ...fields }),
    schema: () => rejectionSchema(status, code, message, extra),
  });
}

/** What `presetException` returns. */
export type PresetExceptionClass = new (
  body?: RejectionBody | Record<string, unknown>,
  status?: number,
  headers?: Readonly<Record<string, string>>,
) => PresetException;

/**
 * The exception class of `p`, for `class XException extends presetException(X) {}`: its
 * constructor takes the rendered body, status and headers, all optional.
 */
export function presetException(p: Preset<never>): PresetExceptionClass {
  return class extends PresetException {
    constructor(
      body?: RejectionBody | Record<string, unknown>,
      status?: number,
      headers?: Readonly<Record<string, string>>,
    ) {
      super(p, body, status, headers);
    }
  };
}

/**
 * Renders `p` with the module's `response` override and throws the exception `make` builds
 * from the rendered body and status, its headers and content type written to `res`.
 */
export function rejectWith<X extends Record<string, unknown>>(
  res: object | undefined,
  request: unknown,
  p: Preset<X>,
  override: RejectionResponseOptions | undefined,
  make: (body: RejectionBody | Record<string, unknown>, status: number) => ProtectionException,
  extra?: X,
): never {
  const rendered = renderRejection(p.body(extra), override, request);
  reject(res, make(rendered.body, rendered.status), rendered.contentType);
}

/** JSON schema of a rejection body with the given code and extra properties. */
export function rejectionSchema(
  status: number,
  code: string,
  message: string,
  extra: Record<string, Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    type: 'object',
    required: ['statusCode', 'code', 'message', ...Object.keys(extra)],
    properties: {
      statusCode: { type: 'integer', example: status },
      code: { type: 'string', example: code },
      message: { type: 'string', example: message },
      ...extra,
    },
  };
}

/** An exception whose defaults come from its preset; the guards pass the rendered body. */
export class PresetException extends ProtectionException {
  constructor(
    p: Preset<never>,
    body: RejectionBody | Record<string, unknown> = p.body(),
    status: number = p.status,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(body, status, p.code, headers);
  }
}
