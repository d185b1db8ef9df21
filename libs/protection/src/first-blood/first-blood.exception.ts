import { preset, presetException, PresetException } from '../core/rejection';

/** A CAPTCHA is due: fetch an image for the ticket, send the code back. */
export const CAPTCHA_REQUIRED = preset(406, 'CAPTCHA_REQUIRED', 'need a verify code');

/** One ticket asked for too many images in a minute. */
export const CAPTCHA_IMAGE_LIMIT = preset(
  429,
  'TOO_MANY_REQUESTS',
  'Too many CAPTCHA images for this ticket; try again later',
);

/** One client address made too many guesses or image requests on a route in an hour. */
export const CAPTCHA_ATTEMPT_LIMIT = preset(
  429,
  'TOO_MANY_REQUESTS',
  'Too many CAPTCHA attempts from this address; try again later',
);

/** 406 `CAPTCHA_REQUIRED` with the `Client-Ticket` header: fetch an image, send the code back. */
export class CaptchaRequiredException extends presetException(CAPTCHA_REQUIRED) {}

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
