/*
 * Records each protection's route docs and writes them into Swagger's metadata, adding or
 * removing them as the module switches features on or off.
 */
import {
  API_PARAMETERS,
  API_SECURITY,
  headerObject,
  on,
  readResponses,
  swagger,
  writeResponses,
} from './swagger.api';
import type { SwaggerApi } from './swagger.api';
import { addSuccess, takeBackSuccess } from './swagger.success';
import type { DocResponse, DocumentedMethod, DocumentedRoute, RouteDocs } from './swagger.types';

const methods: DocumentedMethod[] = [];
const byTarget = new WeakMap<object, Map<string | symbol, DocumentedMethod>>();

/**
 * Records `docs` for a route method. They are written into Swagger's metadata when the module
 * boots with the feature switched on (`syncRouteDocs`), because at decoration time nobody knows
 * yet whether the protection will be on; a switched-off protection documents nothing. The
 * route keeps a success response beside ours (see `addSuccess`).
 */
export function documentRoute(feature: string, docs: RouteDocs): MethodDecorator {
  return (target, key, descriptor) => {
    let byKey = byTarget.get(target);
    if (!byKey) byTarget.set(target, (byKey = new Map<string | symbol, DocumentedMethod>()));
    let method = byKey.get(key);
    if (!method) {
      method = { target, key, descriptor, routes: [], success: [] };
      byKey.set(key, method);
      methods.push(method);
    }
    // The latest descriptor holds the function the other decorators are writing to now.
    method.descriptor = descriptor;
    const route: DocumentedRoute = { feature, docs, applied: false };
    method.routes.push(route);
    // Apply at once too, so a document built without the module (or before it boots) still
    // shows the default: every protection is on unless switched off.
    const api = swagger();
    if (!api) return;
    const fn = descriptor.value as object;
    takeBackSuccess(method, fn);
    apply(api, method, route, fn);
    // No plugin metadata here: its factory may require modules that are still loading.
    addSuccess(api, method, fn, false);
  };
}

/** Adds or removes every recorded route's docs to match which features are on. */
export function syncRouteDocs(isEnabled: (feature: string) => boolean): void {
  const api = swagger();
  if (!api) return;
  for (const method of methods) {
    const fn = currentFunction(method);
    // Decorators above ours ran after our decoration-time pass (a user's @ApiOkResponse, @Post,
    // @HttpCode): take our success additions back and decide again with everything in place.
    takeBackSuccess(method, fn);
    const removed = new Set<string>();
    for (const route of method.routes) {
      if (!isEnabled(route.feature)) for (const status of remove(route, fn)) removed.add(status);
    }
    for (const route of method.routes) {
      if (!isEnabled(route.feature)) continue;
      if (!route.applied) apply(api, method, route, fn);
      else if (removed.size) restore(api, method, route, fn, removed);
    }
    addSuccess(api, method, fn, true);
  }
}

/**
 * The function Swagger will read: what the prototype holds once every decorator has run (one
 * may have replaced it, as @DoubleKill does), else the descriptor we were given.
 */
function currentFunction(method: DocumentedMethod): object {
  const own = Object.getOwnPropertyDescriptor(method.target, method.key)?.value as unknown;
  return typeof own === 'function' ? own : (method.descriptor.value as object);
}

function respond(
  api: SwaggerApi,
  r: DocResponse,
  target: object,
  key: string | symbol,
  fn: object,
): void {
  const headers: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(r.headers ?? {})) headers[name] = headerObject(h);
  api.ApiResponse({
    status: r.status,
    description: r.description,
    ...(r.schema ? { schema: r.schema } : {}),
    ...(r.headers ? { headers } : {}),
  })(target, key, on(fn));
}

function apply(
  api: SwaggerApi,
  method: DocumentedMethod,
  route: DocumentedRoute,
  fn: object,
): void {
  if (route.applied) return;
  route.applied = true;
  const { target, key } = method;
  const { docs } = route;
  if (docs.extraModels?.length) api.ApiExtraModels(...docs.extraModels)(target, key, on(fn));
  const responses = readResponses(fn);
  for (const r of docs.responses ?? []) {
    // The same answer documented twice (@ApiDoubleKill beside @DoubleKill) would only repeat
    // its description: Swagger joins the descriptions of two responses with one status.
    if (responses?.[String(r.status)] && documentedByOther(method, route, r)) continue;
    respond(api, r, target, key, fn);
  }
  if (docs.success) respond(api, docs.success, target, key, fn);
  for (const h of docs.requestHeaders ?? []) {
    api.ApiHeader({ name: h.name, description: h.description, required: h.required })(
      target,
      key,
      on(fn),
    );
  }
  for (const name of docs.security ?? []) api.ApiSecurity(name)(target, key, on(fn));
  for (const q of docs.queries ?? []) {
    const { name, description, required, ...schema } = q;
    api.ApiQuery({ name, description, required, schema })(target, key, on(fn));
  }
}

function documentedByOther(
  method: DocumentedMethod,
  route: DocumentedRoute,
  r: DocResponse,
): boolean {
  return method.routes.some(
    (other) =>
      other !== route &&
      other.applied &&
      (other.docs.responses ?? []).some(
        (o) => o.status === r.status && o.description === r.description,
      ),
  );
}

/** Removes a route's docs; returns the response statuses it deleted. */
function remove(route: DocumentedRoute, fn: object): string[] {
  if (!route.applied) return [];
  route.applied = false;
  const statuses = [
    ...(route.docs.responses ?? []),
    ...(route.docs.success ? [route.docs.success] : []),
  ].map((r) => String(r.status));
  const responses = readResponses(fn);
  if (responses) {
    const copy = { ...responses };
    for (const status of statuses) delete copy[status];
    writeResponses(fn, copy);
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
  const security = Reflect.getMetadata(API_SECURITY, fn) as unknown;
  if (Array.isArray(security) && route.docs.security?.length) {
    const ours = new Set(route.docs.security);
    Reflect.defineMetadata(
      API_SECURITY,
      security.filter(
        (entry: Record<string, unknown>) => !Object.keys(entry).some((k) => ours.has(k)),
      ),
      fn,
    );
  }
  return statuses;
}

/** Puts back a still-on route's responses that a switched-off one sharing the status deleted. */
function restore(
  api: SwaggerApi,
  method: DocumentedMethod,
  route: DocumentedRoute,
  fn: object,
  removed: Set<string>,
): void {
  for (const r of [
    ...(route.docs.responses ?? []),
    ...(route.docs.success ? [route.docs.success] : []),
  ]) {
    const status = String(r.status);
    if (removed.has(status) && !readResponses(fn)?.[status])
      respond(api, r, method.target, method.key, fn);
  }
}
