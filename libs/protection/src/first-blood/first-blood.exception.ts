import type { RejectionBody } from '../core/protection.exception';
import { preset, PresetException } from '../core/rejection';

/** A CAPTCHA is due: fetch an image for the ticket, send the code back. */
export const CAPTCHA_REQUIRED = preset({
  status: 406,
  code: 'CAPTCHA_REQUIRED',
  message: 'need a verify code',
});

/** One ticket asked for too many images in a minute. */
export const CAPTCHA_IMAGE_LIMIT = preset({
  status: 429,
  code: 'TOO_MANY_REQUESTS',
  message: 'Too many CAPTCHA images for this ticket; try again later',
});

/** One client address made too many guesses or image requests on a route in an hour. */
export const CAPTCHA_ATTEMPT_LIMIT = preset({
  status: 429,
  code: 'TOO_MANY_REQUESTS',
  message: 'Too many CAPTCHA attempts from this address; try again later',
});

/** 406 `CAPTCHA_REQUIRED` with the `Client-Ticket` header: fetch an image, send the code back. */
export class CaptchaRequiredException extends PresetException {
  constructor(
    body?: RejectionBody | Record<string, unknown>,
    status?: number,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(CAPTCHA_REQUIRED, body, status, headers);
  }
}

/**
 * 429 for a ticket that asked for too many images in a minute, or (`'address'`) a client address
 * that spent its hourly guesses or images on a route.
 */
export class CaptchaImageLimitException extends PresetException {
  constructor(retryAfterSeconds: number, by: 'ticket' | 'address' = 'ticket') {
    super(by === 'ticket' ? CAPTCHA_IMAGE_LIMIT : CAPTCHA_ATTEMPT_LIMIT, undefined, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}
