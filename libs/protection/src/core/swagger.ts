/*
 * Swagger documentation added by our decorators only when @nestjs/swagger is installed. It is
 * required lazily so the library works without it and its types never leak into ours.
 */
import { HttpStatus, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';

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
  readonly docs: RouteDocs;
  applied: boolean;
}

type ResponseEntry = Record<string, unknown>;
type ResponseMap = Record<string, ResponseEntry>;

/** What we wrote into one success response, so a later sync can take exactly that back out. */
interface SuccessContribution {
  readonly status: string;
  /** The entry as we stored it. */
  readonly written: ResponseEntry;
  /** The entry before we touched it; undefined when the whole entry is our default. */
  readonly before: ResponseEntry | undefined;
  /** The header objects we added, by name (compared by identity when taken back). */
  readonly headers: Record<string, unknown>;
}

/** Every documented route decorator on one method, and what we added to its success responses. */
interface DocumentedMethod {
  readonly target: object;
  readonly key: string | symbol;
  descriptor: PropertyDescriptor;
  readonly routes: DocumentedRoute[];
  success: SuccessContribution[];
}

const API_RESPONSE = 'swagger/apiResponse';
const API_PARAMETERS = 'swagger/apiParameters';
/** The static the Swagger CLI plugin adds to controllers (METADATA_FACTORY_NAME in @nestjs/swagger). */
const PLUGIN_FACTORY = '_OPENAPI_METADATA_FACTORY';
const SUCCESS = /^2(?:\d\d|XX)$/i;

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
    if (!byKey) byTarget.set(target, (byKey = new Map()));
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

function on(fn: object): PropertyDescriptor {
  return { value: fn, writable: true, enumerable: false, configurable: true };
}

function headerObject(h: DocHeader): Record<string, unknown> {
  return {
    description: h.description,
    schema: { type: h.type, ...(h.example !== undefined ? { example: h.example } : {}) },
  };
}

function respond(api: SwaggerApi, r: DocResponse, target: object, key: string | symbol, fn: object): void {
  const headers: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(r.headers ?? {})) headers[name] = headerObject(h);
  api.ApiResponse({
    status: r.status,
    description: r.description,
    ...(r.schema ? { schema: r.schema } : {}),
    ...(r.headers ? { headers } : {}),
  })(target, key, on(fn));
}

function apply(api: SwaggerApi, method: DocumentedMethod, route: DocumentedRoute, fn: object): void {
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
    api.ApiHeader({ name: h.name, description: h.description, required: h.required })(target, key, on(fn));
  }
  for (const q of docs.queries ?? []) {
    const { name, description, required, ...schema } = q;
    api.ApiQuery({ name, description, required, schema })(target, key, on(fn));
  }
}

function documentedByOther(method: DocumentedMethod, route: DocumentedRoute, r: DocResponse): boolean {
  return method.routes.some(
    (other) =>
      other !== route &&
      other.applied &&
      (other.docs.responses ?? []).some((o) => o.status === r.status && o.description === r.description),
  );
}

/** Removes a route's docs; returns the response statuses it deleted. */
function remove(route: DocumentedRoute, fn: object): string[] {
  if (!route.applied) return [];
  route.applied = false;
  const statuses = [...(route.docs.responses ?? []), ...(route.docs.success ? [route.docs.success] : [])].map((r) =>
    String(r.status),
  );
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
  return statuses;
}

/** Puts back a still-on route's responses that a switched-off one sharing the status deleted. */
function restore(api: SwaggerApi, method: DocumentedMethod, route: DocumentedRoute, fn: object, removed: Set<string>): void {
  for (const r of [...(route.docs.responses ?? []), ...(route.docs.success ? [route.docs.success] : [])]) {
    const status = String(r.status);
    if (removed.has(status) && !readResponses(fn)?.[status]) respond(api, r, method.target, method.key, fn);
  }
}

function readResponses(fn: object): ResponseMap | undefined {
  return Reflect.getMetadata(API_RESPONSE, fn) as ResponseMap | undefined;
}

/** Writes the responses; none at all deletes the key, so Swagger adds its own default again. */
function writeResponses(fn: object, responses: ResponseMap): void {
  if (Object.keys(responses).length) Reflect.defineMetadata(API_RESPONSE, responses, fn);
  else Reflect.deleteMetadata(API_RESPONSE, fn);
}

/**
 * Takes back what we added to success responses. An entry rewritten since (Swagger merges a
 * later @ApiResponse of the same status into ours) keeps the user's part: only our headers and
 * our default's description come out.
 */
function takeBackSuccess(method: DocumentedMethod, fn: object): void {
  const contributions = method.success;
  method.success = [];
  const responses = readResponses(fn);
  if (!contributions.length || !responses) return;
  const copy = { ...responses };
  for (const c of contributions) {
    const current = copy[c.status];
    if (!current) continue;
    if (current === c.written) {
      if (c.before) copy[c.status] = c.before;
      else delete copy[c.status];
      continue;
    }
    const entry: ResponseEntry = { ...current };
    const headers = { ...(current.headers as Record<string, unknown> | undefined) };
    for (const [name, header] of Object.entries(c.headers)) if (headers[name] === header) delete headers[name];
    if (Object.keys(headers).length || (c.before ?? {}).headers) entry.headers = headers;
    else delete entry.headers;
    if (!c.before) entry.description = ownDescription(current.description, c.written.description);
    copy[c.status] = entry;
  }
  writeResponses(fn, copy);
}

/** The user's part of a description Swagger joined to ours with a blank line. */
function ownDescription(merged: unknown, ours: unknown): unknown {
  if (typeof merged !== 'string' || typeof ours !== 'string' || ours === '') return merged;
  if (merged === ours) return '';
  return merged.startsWith(ours + '\n\n') ? merged.slice(ours.length + 2) : merged;
}

/**
 * Swagger adds the route's default success response only to a method with no responses at all,
 * and the CLI plugin's (with the return type) only then too; ours would hide both. So when the
 * route has no success response of its own, add the one Swagger would have made, and put our
 * success headers on whichever success responses it has.
 */
function addSuccess(api: SwaggerApi, method: DocumentedMethod, fn: object, plugin: boolean): void {
  const live = method.routes.filter((r) => r.applied);
  if (!live.some((r) => r.docs.responses?.length || r.docs.successHeaders)) return;
  const headers: Record<string, unknown> = {};
  for (const route of live) {
    for (const [name, h] of Object.entries(route.docs.successHeaders ?? {})) headers[name] ??= headerObject(h);
  }
  // 202 and 208 are 2xx too, but they are the protections' answers, not the handler's.
  const answers = new Set(live.flatMap((r) => (r.docs.responses ?? []).map((x) => String(x.status))));
  const responses = readResponses(fn) ?? {};
  const successes = Object.keys(responses).filter((s) => SUCCESS.test(s) && !answers.has(s));
  if (!successes.length) {
    const meta = plugin ? pluginMetadata(method) : undefined;
    const status = String(meta?.status ?? defaultStatus(fn));
    // Taken by a protection's answer (e.g. @HttpCode(202) with @DoubleKill): nothing to add.
    if (responses[status]) return;
    api.ApiResponse({
      status: Number(status),
      description: meta?.description ?? '',
      ...(meta?.type !== undefined ? { type: meta.type } : {}),
      ...(meta?.isArray !== undefined ? { isArray: meta.isArray } : {}),
      ...(Object.keys(headers).length ? { headers } : {}),
    })(method.target, method.key, on(fn));
    const written = readResponses(fn)?.[status];
    if (written) method.success.push({ status, written, before: undefined, headers });
    return;
  }
  if (!Object.keys(headers).length) return;
  const copy = { ...responses };
  for (const status of successes) {
    const before = copy[status]!;
    const present = (before.headers as Record<string, unknown> | undefined) ?? {};
    // A header the user documented on the response is theirs to describe.
    const added = Object.fromEntries(Object.entries(headers).filter(([name]) => !(name in present)));
    if (!Object.keys(added).length) continue;
    const written = { ...before, headers: { ...present, ...added } };
    copy[status] = written;
    method.success.push({ status, written, before, headers: added });
  }
  writeResponses(fn, copy);
}

/** The status Swagger gives a route without responses: @HttpCode, else 201 for POST, else 200. */
function defaultStatus(fn: object): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined;
  if (code) return code;
  return Reflect.getMetadata(METHOD_METADATA, fn) === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK;
}

interface PluginMetadata {
  type?: unknown;
  isArray?: unknown;
  status?: number;
  description?: string;
}

/**
 * The Swagger CLI plugin's metadata for the method (its return type), as Swagger would apply
 * it: the first class up the chain whose factory names the method. Only 2xx entries count: the
 * plugin also records `@throws` comments there.
 */
function pluginMetadata(method: DocumentedMethod): PluginMetadata | undefined {
  if (typeof method.key !== 'string') return undefined;
  for (let proto: object | null = method.target; proto && proto !== Object.prototype; proto = Reflect.getPrototypeOf(proto)) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    const factory = typeof ctor === 'function' ? (ctor as unknown as Record<string, unknown>)[PLUGIN_FACTORY] : undefined;
    if (typeof factory !== 'function') continue;
    let all: unknown;
    try {
      all = (factory as () => unknown).call(ctor);
    } catch {
      return undefined; // A broken factory breaks Swagger's own pass too; keep the plain default.
    }
    const entry = (all as Record<string, unknown> | null | undefined)?.[method.key] as PluginMetadata | undefined;
    if (!entry || typeof entry !== 'object') continue;
    const { type, isArray, status, description } = entry;
    if (status !== undefined && !(typeof status === 'number' && status >= 200 && status < 300)) return undefined;
    if (type === undefined && isArray === undefined && status === undefined && description === undefined) continue;
    return {
      ...(type !== undefined ? { type } : {}),
      ...(isArray !== undefined ? { isArray } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(typeof description === 'string' ? { description } : {}),
    };
  }
  return undefined;
}
