import type { ProtectionRequest } from '../core/http.types';

/** What to log for one request; returned by the module option `logging.when(req)`. */
export interface LogCondition {
  /** Log the request line. @default true */
  request?: boolean;
  /** Include the request body (JSON and forms as data; multipart as file names and sizes). @default false */
  requestBody?: boolean;
  /** Request headers to include: names, or a predicate on the lower-case name. @default none */
  requestHeaders?: readonly string[] | ((name: string) => boolean);
  /** Log the request line after the response instead of before the handler. @default false */
  after?: boolean;
  /** Log the response line (status, elapsed ms). @default true */
  response?: boolean;
  /** Include the response body. @default false */
  responseBody?: boolean;
  /** Response headers to include: names, or a predicate. @default none */
  responseHeaders?: readonly string[] | ((name: string) => boolean);
  /** Longer bodies are cut, with a marker. @default 4096 */
  maxBodyBytes?: number;
  /**
   * What is masked as `[REDACTED]`, case-insensitive. A name without a dot (`password`) masks
   * that key at any depth of a JSON or form body, request or response, inside arrays too, plus
   * query-string parameters, multipart fields and headers of that name. A dotted path
   * (`card.number`) masks that path from the top of the body (arrays are passed through, so
   * `items.secret` masks `secret` in every element of `items`). @default []
   */
  redact?: readonly string[];
}

/**
 * The route a request is for, as `logging.when` sees it: the pattern the platform matched
 * (`/users/:id`) when it has matched one, else the path as routers compare it (decoded, lower
 * case, no trailing slash, no host), so `/%72eq` and `/REQ/` are `/req`.
 */
export interface LoggedRoute {
  /** Upper case; HEAD shows as GET. */
  readonly method: string;
  readonly path: string;
}

/** How each logged line is written; see `LoggingModuleOptions.format`. */
export type LogFormat = 'text' | 'json';

/** Module option `logging`. */
export interface LoggingModuleOptions {
  /** Decides per request what is logged; null or undefined: nothing. Match on `route.path`, not on `req.url` as sent. */
  when: (req: ProtectionRequest, route: LoggedRoute) => LogCondition | null | undefined;
  /**
   * `'text'`: `--> POST /path [id] headers={...} body=...` and
   * `<-- 200 POST /path [id] 3 ms ...`, for reading. `'json'`: each message is one JSON object,
   * `{ type: 'request' | 'response', method, url, requestId, status?, ms?, headers?, body? }`
   * (`body` as data when it is whole JSON, else as text), for log collectors.
   * Either way one request line is one line: control characters in any logged value are
   * escaped (`\n`, `\u001b`), so a client cannot start a line of its own. @default 'text'
   */
  format?: LogFormat;
}
