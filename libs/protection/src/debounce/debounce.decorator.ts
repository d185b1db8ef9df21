import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { RawReplyFilter } from '../core/raw-reply';
import { documentRoute } from '../core/swagger';
import type { DebounceOptions } from './debounce-options.interface';
import { resolveDebounceRoute } from './debounce.options';
import { DebounceGuard } from './debounce.guard';
import { DebounceMetadata } from './debounce.metadata';
import { debounceDocs } from './debounce.docs';

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
  const route = resolveDebounceRoute(options);
  return applyDecorators(
    DebounceMetadata(route),
    UseGuards(DebounceGuard),
    // Only reuse routes send a stored response.
    ...(route.reuse ? [UseFilters(RawReplyFilter)] : []),
    documentRoute('debounce', debounceDocs(route.reuse)),
  );
}
