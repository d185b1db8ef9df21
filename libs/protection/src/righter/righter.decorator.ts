import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common';
import type { ProtectionRequest } from '../core/http.types';
import { RequestContext } from '../core/request-context';
import { demandAsyncContext } from '../core/async-context';
import { documentRoute } from '../core/swagger';
import type { RighterOptions, RighterRouteOptions } from './righter-options.interface';
import { RighterGuard } from './righter.guard';
import { RighterMetadata } from './righter.metadata';
import { righterCommitDocs, righterEditDocs } from './righter.schema';
import { RighterService } from './righter.service';

const KNOWN = new Set(['edit', 'ttl', 'once', 'scope']);

function normalize(options: boolean | RighterOptions): RighterRouteOptions {
  if (typeof options === 'boolean') return Object.freeze({ edit: !options, ttl: undefined, once: undefined, scope: undefined });
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new Error(`@Righter: unknown option "${key}"; known: ${[...KNOWN].join(', ')}.`);
  }
  const { edit = false, ttl, once, scope } = options;
  if (typeof edit !== 'boolean') throw new Error(`@Righter: option "edit" must be a boolean; got ${String(edit)}.`);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1)) {
    throw new Error(`@Righter: option "ttl" must be a whole number of seconds >= 1; got ${String(ttl)}.`);
  }
  if (once !== undefined && typeof once !== 'boolean') throw new Error(`@Righter: option "once" must be a boolean; got ${String(once)}.`);
  if (scope !== undefined && (typeof scope !== 'string' || scope === '' || scope.length > 200)) {
    throw new Error(`@Righter: option "scope" must be a non-empty string; got ${String(scope)}.`);
  }
  return Object.freeze({ edit, ttl, once, scope });
}

/**
 * Anti-forgery for edit/commit flows. `@Righter(false)` on the read-for-edit route (the
 * handler calls `RighterService.allow(data)`; the response carries `Right-Editor`);
 * `@Righter()` on the commit route (the header is required; read the sealed data with
 * `@RighterAudit()` or `RighterService.audit()`).
 *
 * @example
 * ```ts
 * @Get(':id/edit') @Righter(false)
 * edit(@Param('id') id: string) { const u = this.users.get(id); this.righter.allow({ id, role: u.role }); return u; }
 *
 * @Put(':id') @Righter({ scope: 'user-edit' })
 * save(@RighterAudit() audit: { id: string; role: string }, @Body() dto: UserDto) { ... }
 * ```
 * @throws ForgeryException (409 FORGERY) on a commit without a valid token.
 */
export function Righter(options: boolean | RighterOptions = true): MethodDecorator {
  const route = normalize(options);
  return applyDecorators(
    RighterMetadata(route),
    // The edit handler calls RighterService.allow() without the request at hand.
    ...(route.edit ? [demandAsyncContext(typeof options === 'boolean' ? '@Righter(false)' : '@Righter({ edit: true })')] : []),
    UseGuards(RighterGuard),
    documentRoute('righter', route.edit ? righterEditDocs() : righterCommitDocs()),
  );
}

/** Injects the data sealed by the edit route into a `@Righter()` commit handler parameter. */
export const RighterAudit = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  const ctx = RequestContext.attached(context.switchToHttp().getRequest<ProtectionRequest>());
  return ctx ? RighterService.state(ctx)?.audit : undefined;
});
