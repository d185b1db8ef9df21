import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ProtectionRequest } from '../core/http.types';
import { RequestContext } from '../core/request-context';
import { TerminalContext, type TerminalInfo } from './terminal.context';

/**
 * Injects the request's `TerminalInfo` into a handler parameter.
 * @example
 * ```ts
 * @Get('me') me(@Terminal() t: TerminalInfo) { return t.locale; }
 * ```
 */
export const Terminal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TerminalInfo => {
    const ctx = RequestContext.attached(context.switchToHttp().getRequest<ProtectionRequest>());
    return ctx ? TerminalContext.of(ctx) : TerminalContext.current();
  },
);
