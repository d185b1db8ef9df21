import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { RawReplyFilter } from '../core/raw-reply';
import { documentRoute } from '../core/swagger';
import type { FirstBloodOptions } from './first-blood-options.interface';
import { resolveFirstBloodRoute } from './first-blood.options';
import { FirstBloodGuard } from './first-blood.guard';
import { FirstBloodMetadata } from './first-blood.metadata';
import { firstBloodDocs } from './first-blood.docs';

/**
 * CAPTCHA challenge. When a CAPTCHA is due the route answers 406 `CAPTCHA_REQUIRED` with a
 * `Client-Ticket`; the client fetches an image with `?quest-captcha-image=` and repeats the call
 * with `?check-captcha-image=<code>`.
 *
 * @example
 * ```ts
 * @Post('login') @FirstBlood({ first: 30 }) // one free try per 30 s per client
 * login(@Body() dto: LoginDto) { ... }
 * ```
 * @throws CaptchaRequiredException (406) when a CAPTCHA is needed or the code is wrong.
 */
export function FirstBlood(options: FirstBloodOptions = {}): MethodDecorator {
  const route = resolveFirstBloodRoute(options);
  return applyDecorators(
    FirstBloodMetadata(route),
    UseGuards(FirstBloodGuard),
    UseFilters(RawReplyFilter),
    documentRoute('firstBlood', firstBloodDocs()),
  );
}
