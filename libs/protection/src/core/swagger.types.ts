/* The documentation a protection records for a route, and what we remember per method. */

/** A response header as OpenAPI describes it. */
export interface DocHeader {
  description: string;
  type: 'string' | 'integer';
  example?: string | number;
}

/** One documented response. */
export interface DocResponse {
  status: number;
  description: string;
  schema?: Record<string, unknown>;
  headers?: Record<string, DocHeader>;
}

/** Documentation a protection adds to a route. */
export interface RouteDocs {
  /** Answers the protection gives instead of the handler's (rejections, 202, 208). */
  responses?: DocResponse[];
  /** The handler's own success response, when the decorator documents it (`@ApiPageResult`). */
  success?: DocResponse;
  /**
   * Headers the protection adds to the handler's answer: merged into whatever success response
   * the route ends up with (the user's own, the Swagger CLI plugin's, or the default one).
   */
  successHeaders?: Record<string, DocHeader>;
  requestHeaders?: Array<{ name: string; description: string; required: boolean }>;
  /** Security schemes the route requires (the app's document defines them). */
  security?: string[];
  /** Classes the schemas refer to (`#/components/schemas/<Name>`). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  extraModels?: Function[];
  queries?: Array<{
    name: string;
    description: string;
    required: boolean;
    type: 'string' | 'integer';
    default?: unknown;
    minimum?: number;
    maximum?: number;
  }>;
}

export type ResponseEntry = Record<string, unknown>;
export type ResponseMap = Record<string, ResponseEntry>;

export interface DocumentedRoute {
  readonly feature: string;
  readonly docs: RouteDocs;
  applied: boolean;
}

/** What we wrote into one success response, so a later sync can take exactly that back out. */
export interface SuccessContribution {
  readonly status: string;
  /** The entry as we stored it. */
  readonly written: ResponseEntry;
  /** The entry before we touched it; undefined when the whole entry is our default. */
  readonly before: ResponseEntry | undefined;
  /** The header objects we added, by name (compared by identity when taken back). */
  readonly headers: Record<string, unknown>;
}

/** Every documented route decorator on one method, and what we added to its success responses. */
export interface DocumentedMethod {
  readonly target: object;
  readonly key: string | symbol;
  descriptor: PropertyDescriptor;
  readonly routes: DocumentedRoute[];
  success: SuccessContribution[];
}
