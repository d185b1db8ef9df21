import { documentRoute } from '../core/swagger';
import { doubleKillDocs } from './double-kill.docs';

/** Options of `@ApiDoubleKill`. */
export interface ApiDoubleKillOptions {
  /** The service method runs with `@DoubleKill({ async: true })`: 202 means started or running. @default false */
  async?: boolean;
}

/**
 * Documents the 202 `DOUBLE_KILLED` answer on a route whose handler calls a `@DoubleKill`
 * method of a provider (Swagger only; a no-op without @nestjs/swagger, and nothing is
 * documented while doubleKill is switched off). A `@DoubleKill` on the route itself documents
 * this already.
 *
 * @example
 * ```ts
 * @Post(':id/pay') @ApiDoubleKill()
 * pay(@Param('id') id: string) { return this.orders.pay(id); } // OrdersService.pay has @DoubleKill
 * ```
 */
export function ApiDoubleKill(options: ApiDoubleKillOptions = {}): MethodDecorator {
  if (typeof options !== 'object' || options === null)
    throw new Error('@ApiDoubleKill: expected { async? }.');
  for (const k of Object.keys(options)) {
    if (k !== 'async') throw new Error(`@ApiDoubleKill: unknown option "${k}"; known: async.`);
  }
  if (options.async !== undefined && typeof options.async !== 'boolean') {
    throw new Error(
      `@ApiDoubleKill: option "async" must be a boolean; got ${String(options.async)}.`,
    );
  }
  return documentRoute('doubleKill', doubleKillDocs(options.async ?? false));
}
