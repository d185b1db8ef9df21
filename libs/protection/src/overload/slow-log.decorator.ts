import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { rawResponse } from '../core/http.adapter';
import type { ProtectionResponse } from '../core/http.types';

const SLOW_LOG = 'nest-protection:slow-log';
/** Per-route slow threshold, kept on the Node response for the slow-request log to read. */
export const SLOW_MS = Symbol.for('nest-protection.slow-ms');

/** Hands the route's `@SlowLog` threshold to the slow-request log. */
@Injectable()
export class SlowLogGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const ms = Reflect.getMetadata(SLOW_LOG, context.getHandler()) as number | undefined;
    if (ms !== undefined) {
      (
        rawResponse(context.switchToHttp().getResponse<ProtectionResponse>()) as {
          [SLOW_MS]?: number;
        }
      )[SLOW_MS] = ms;
    }
    return true;
  }
}

/**
 * Overrides the module's `overload.slowMs` for one route: its responses slower than `ms` are
 * logged at WARN.
 * @example
 * ```ts
 * @Get('report') @SlowLog(30_000) report() { ... }
 * ```
 */
export function SlowLog(ms: number): MethodDecorator {
  if (!Number.isInteger(ms) || ms < 1)
    throw new Error(`@SlowLog: expected a whole number of ms >= 1; got ${String(ms)}.`);
  return applyDecorators(SetMetadata(SLOW_LOG, ms), UseGuards(SlowLogGuard));
}
