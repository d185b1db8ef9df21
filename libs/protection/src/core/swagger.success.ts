/*
 * The route's own success response beside the protections' answers: Swagger's default (or the
 * CLI plugin's) would be hidden by ours, so we add it, and take it back before each sync.
 */
import { HttpStatus, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { headerObject, on, readResponses, writeResponses } from './swagger.api';
import type { SwaggerApi } from './swagger.api';
import type { DocumentedMethod, ResponseEntry } from './swagger.types';

/** The static the Swagger CLI plugin adds to controllers (METADATA_FACTORY_NAME in @nestjs/swagger). */
const PLUGIN_FACTORY = '_OPENAPI_METADATA_FACTORY';
const SUCCESS = /^2(?:\d\d|XX)$/i;

/**
 * Takes back what we added to success responses. An entry rewritten since (Swagger merges a
 * later @ApiResponse of the same status into ours) keeps the user's part: only our headers and
 * our default's description come out.
 */
export function takeBackSuccess(method: DocumentedMethod, fn: object): void {
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
    for (const [name, header] of Object.entries(c.headers))
      if (headers[name] === header) delete headers[name];
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
export function addSuccess(
  api: SwaggerApi,
  method: DocumentedMethod,
  fn: object,
  plugin: boolean,
): void {
  const live = method.routes.filter((r) => r.applied);
  if (!live.some((r) => r.docs.responses?.length || r.docs.successHeaders)) return;
  const headers: Record<string, unknown> = {};
  for (const route of live) {
    for (const [name, h] of Object.entries(route.docs.successHeaders ?? {}))
      headers[name] ??= headerObject(h);
  }
  // 202 and 208 are 2xx too, but they are the protections' answers, not the handler's.
  const answers = new Set(
    live.flatMap((r) => (r.docs.responses ?? []).map((x) => String(x.status))),
  );
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
    const added = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !(name in present)),
    );
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
  return Reflect.getMetadata(METHOD_METADATA, fn) === RequestMethod.POST
    ? HttpStatus.CREATED
    : HttpStatus.OK;
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
  for (
    let proto: object | null = method.target;
    proto && proto !== Object.prototype;
    proto = Reflect.getPrototypeOf(proto)
  ) {
    const ctor = (proto as { constructor?: unknown }).constructor;
    const factory =
      typeof ctor === 'function'
        ? (ctor as unknown as Record<string, unknown>)[PLUGIN_FACTORY]
        : undefined;
    if (typeof factory !== 'function') continue;
    let all: unknown;
    try {
      all = (factory as () => unknown).call(ctor);
    } catch {
      return undefined; // A broken factory breaks Swagger's own pass too; keep the plain default.
    }
    const entry = (all as Record<string, unknown> | null | undefined)?.[method.key] as
      PluginMetadata | undefined;
    if (!entry || typeof entry !== 'object') continue;
    const { type, isArray, status, description } = entry;
    if (status !== undefined && !(typeof status === 'number' && status >= 200 && status < 300))
      return undefined;
    if (
      type === undefined &&
      isArray === undefined &&
      status === undefined &&
      description === undefined
    )
      continue;
    return {
      ...(type !== undefined ? { type } : {}),
      ...(isArray !== undefined ? { isArray } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(typeof description === 'string' ? { description } : {}),
    };
  }
  return undefined;
}
