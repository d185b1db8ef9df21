import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { RawReplyFilter } from '../core/raw-reply';
import { documentRoute } from '../core/swagger';
import type { DebounceOptions, DebounceRouteOptions } from './debounce-options.interface';
import { DebounceGuard } from './debounce.guard';
import { DebounceMetadata } from './debounce.metadata';
import { debounceDocs } from './debounce.schema';

const KNOWN = new Set(['waiting', 'reuse', 'session', 'method', 'query', 'header', 'body']);

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new Error(`@Debounce: option "${name}" must be a boolean; got ${String(value)}.`);
  return value;
}

/** Validates at class definition, so a wrong option fails when the app loads. */
function normalize(options: DebounceOptions): DebounceRouteOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new Error(`@Debounce: unknown option "${key}"; known: ${[...KNOWN].join(', ')}.`);
  }
  const { waiting, header = [] } = options;
  if (waiting !== undefined && (!Number.isInteger(waiting) || waiting < 1 || waiting > 3_600_000)) {
    throw new Error(`@Debounce: option "waiting" must be a whole number of ms from 1 to 3600000; got ${String(waiting)}.`);
  }
  if (!Array.isArray(header) || header.some((h) => typeof h !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h))) {
    throw new Error(`@Debounce: option "header" must be a list of header names; got ${JSON.stringify(header)}.`);
  }
  return Object.freeze({
    waiting,
    reuse: flag('reuse', options.reuse, false),
    session: flag('session', options.session, true),
    method: flag('method', options.method, true),
    query: flag('query', options.query, true),
    header: Object.freeze(header.map((h) => h.toLowerCase())),
    body: flag('body', options.body, false),
  });
}

/**
 * Leading-edge debounce of duplicate requests. The first request of a burst runs the
 * handler; identical requests inside the window get 208 with `Retry-After` or, with
 * `reuse: true`, the first one's response (`X-Debounce: reused`).
 *
 * @example
 * ```ts
 * @Post('orders')
 * @Debounce({ waiting: 1000, reuse: true, body: true })
 * create(@Body() dto: CreateOrderDto) { ... }
 * ```
 * @throws DebouncedException (208) for a duplicate that gets the preset answer.
 */
export function Debounce(options: DebounceOptions = {}): MethodDecorator {
  const route = normalize(options);
  return applyDecorators(
    DebounceMetadata(route),
    UseGuards(DebounceGuard),
    // Only reuse routes send a stored response.
    ...(route.reuse ? [UseFilters(RawReplyFilter)] : []),
    documentRoute('debounce', debounceDocs(route.reuse)),
  );
}
