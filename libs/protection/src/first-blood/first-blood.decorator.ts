import { applyDecorators, UseFilters, UseGuards } from '@nestjs/common';
import { RawReplyFilter } from '../core/raw-reply';
import { documentRoute } from '../core/swagger';
import type { FirstBloodOptions, FirstBloodRouteOptions } from './first-blood-options.interface';
import { FirstBloodGuard } from './first-blood.guard';
import { FirstBloodMetadata } from './first-blood.metadata';
import { firstBloodDocs } from './first-blood.schema';

const KNOWN = new Set(['first', 'blood', 'retry', 'scene']);

function whole(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`@FirstBlood: option "${name}" must be a whole number from ${min} to ${max}; got ${String(value)}.`);
  }
  return value;
}

function normalize(options: FirstBloodOptions): FirstBloodRouteOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new Error(`@FirstBlood: unknown option "${key}"; known: ${[...KNOWN].join(', ')}.`);
  }
  const scene = options.scene ?? '';
  if (typeof scene !== 'string' || scene.length > 64) {
    throw new Error(`@FirstBlood: option "scene" must be a string of at most 64 characters; got ${String(scene)}.`);
  }
  return Object.freeze({
    first: whole('first', options.first, 0, 0, 86_400 * 366),
    blood: whole('blood', options.blood, 300, 1, 86_400),
    retry: whole('retry', options.retry, 1, 1, 100),
    scene,
  });
}

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
  const route = normalize(options);
  return applyDecorators(
    FirstBloodMetadata(route),
    UseGuards(FirstBloodGuard),
    UseFilters(RawReplyFilter),
    documentRoute('firstBlood', firstBloodDocs()),
  );
}
