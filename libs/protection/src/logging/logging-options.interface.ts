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
  /** Header names and JSON paths (`password`, `user.token`) whose values are masked. @default [] */
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

/** Module option `logging`. */
export interface LoggingModuleOptions {
  /** Decides per request what is logged; null or undefined: nothing. Match on `route.path`, not on `req.url` as sent. */
  when: (req: ProtectionRequest, route: LoggedRoute) => LogCondition | null | undefined;
}
