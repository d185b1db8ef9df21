import {
  applyDecorators,
  createParamDecorator,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import type { ProtectionRequest } from '../core/http.types';
import { RequestContext } from '../core/request-context';
import { demandAsyncContext } from '../core/async-context';
import { documentRoute } from '../core/swagger';
import type { RighterOptions } from './righter-options.interface';
import { resolveRighterRoute } from './righter.options';
import { RighterGuard } from './righter.guard';
import { RighterMetadata } from './righter.metadata';
import { righterCommitDocs, righterEditDocs } from './righter.docs';
import { RighterService } from './righter.service';

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
  const route = resolveRighterRoute(options);
  return applyDecorators(
    RighterMetadata(route),
    // The edit handler calls RighterService.allow() without the request at hand.
    ...(route.edit
      ? [
          demandAsyncContext(
            typeof options === 'boolean' ? '@Righter(false)' : '@Righter({ edit: true })',
          ),
        ]
      : []),
    UseGuards(RighterGuard),
    documentRoute('righter', route.edit ? righterEditDocs() : righterCommitDocs()),
  );
}

/** Injects the data sealed by the edit route into a `@Righter()` commit handler parameter. */
export const RighterAudit = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown => {
    const ctx = RequestContext.attached(context.switchToHttp().getRequest<ProtectionRequest>());
    return ctx ? RighterService.state(ctx)?.audit : undefined;
  },
);
