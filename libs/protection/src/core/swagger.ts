/*
 * Swagger documentation added by our decorators only when @nestjs/swagger is installed. It is
 * required lazily so the library works without it and its types never leak into ours.
 */

type Decorate = (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => void;

interface SwaggerApi {
  ApiExtraModels(...models: Function[]): Decorate;
  ApiResponse(options: Record<string, unknown>): Decorate;
  ApiHeader(options: Record<string, unknown>): Decorate;
  ApiQuery(options: Record<string, unknown>): Decorate;
}

let cached: SwaggerApi | null | undefined;

function swagger(): SwaggerApi | null {
  if (cached !== undefined) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('@nestjs/swagger') as SwaggerApi;
  } catch {
    cached = null;
  }
  return cached;
}

/** A response header as OpenAPI describes it. */
export interface DocHeader {
  description: string;
  type: 'string' | 'integer';
  example?: string | number;
}

/** Documentation a protection adds to a route. */
export interface RouteDocs {
  responses?: Array<{
    status: number;
    description: string;
    schema?: Record<string, unknown>;
    headers?: Record<string, DocHeader>;
  }>;
  requestHeaders?: Array<{ name: string; description: string; required: boolean }>;
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

interface DocumentedRoute {
  readonly feature: string;
  readonly target: object;
  readonly key: string | symbol;
  readonly descriptor: PropertyDescriptor;
  readonly docs: RouteDocs;
  applied: boolean;
}

const API_RESPONSE = 'swagger/apiResponse';
const API_PARAMETERS = 'swagger/apiParameters';
const registry: DocumentedRoute[] = [];

/**
 * Records `docs` for a route method. They are written into Swagger's metadata when the module
 * boots with the feature switched on (`syncRouteDocs`), because at decoration time nobody knows
 * yet whether the protection will be on; a switched-off protection documents nothing.
 */
export function documentRoute(feature: string, docs: RouteDocs): MethodDecorator {
  return (target, key, descriptor) => {
    const route: DocumentedRoute = { feature, target, key, descriptor, docs, applied: false };
    registry.push(route);
    // Apply at once too, so a document built without the module (or before it boots) still
    // shows the default: every protection is on unless switched off.
    apply(route);
  };
}

/** Adds or removes every recorded route's docs to match which features are on. */
export function syncRouteDocs(isEnabled: (feature: string) => boolean): void {
  for (const route of registry) {
    if (isEnabled(route.feature)) apply(route);
    else remove(route);
  }
}

function apply(route: DocumentedRoute): void {
  const api = swagger();
  if (!api || route.applied) return;
  route.applied = true;
  const { target, key, descriptor, docs } = route;
  if (docs.extraModels?.length) api.ApiExtraModels(...docs.extraModels)(target, key, descriptor);
  for (const r of docs.responses ?? []) {
    const headers: Record<string, unknown> = {};
    for (const [name, h] of Object.entries(r.headers ?? {})) {
      headers[name] = {
        description: h.description,
        schema: { type: h.type, ...(h.example !== undefined ? { example: h.example } : {}) },
      };
    }
    api.ApiResponse({
      status: r.status,
      description: r.description,
      ...(r.schema ? { schema: r.schema } : {}),
      ...(r.headers ? { headers } : {}),
    })(target, key, descriptor);
  }
  for (const h of docs.requestHeaders ?? []) {
    api.ApiHeader({ name: h.name, description: h.description, required: h.required })(
      target,
      key,
      descriptor,
    );
  }
  for (const q of docs.queries ?? []) {
    const { name, description, required, ...schema } = q;
    api.ApiQuery({ name, description, required, schema })(target, key, descriptor);
  }
}

function remove(route: DocumentedRoute): void {
  if (!route.applied) return;
  route.applied = false;
  const fn = route.descriptor.value as object;
  const responses = Reflect.getMetadata(API_RESPONSE, fn) as Record<string, unknown> | undefined;
  if (responses) {
    const copy = { ...responses };
    for (const r of route.docs.responses ?? []) delete copy[String(r.status)];
    Reflect.defineMetadata(API_RESPONSE, copy, fn);
  }
  const params = Reflect.getMetadata(API_PARAMETERS, fn) as Array<{ name?: string; in?: string }>;
  if (Array.isArray(params)) {
    const ours = new Set([
      ...(route.docs.requestHeaders ?? []).map((h) => 'header:' + h.name),
      ...(route.docs.queries ?? []).map((q) => 'query:' + q.name),
    ]);
    Reflect.defineMetadata(
      API_PARAMETERS,
      params.filter((p) => !ours.has(`${p.in}:${p.name}`)),
      fn,
    );
  }
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
