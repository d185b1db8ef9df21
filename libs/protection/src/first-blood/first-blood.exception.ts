import { HttpStatus } from '@nestjs/common';
import { ProtectionException, type RejectionBody } from '../core/protection.exception';

/** 406 `CAPTCHA_REQUIRED` with the `Client-Ticket` header: fetch an image, send the code back. */
export class CaptchaRequiredException extends ProtectionException {
  constructor(
    body: RejectionBody | Record<string, unknown> = {
      statusCode: HttpStatus.NOT_ACCEPTABLE,
      code: 'CAPTCHA_REQUIRED',
      message: 'need a verify code',
    },
    status: number = HttpStatus.NOT_ACCEPTABLE,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(body, status, 'CAPTCHA_REQUIRED', headers);
  }
}

/** 429 for a ticket that asked for too many images in a minute. */
export class CaptchaImageLimitException extends ProtectionException {
  constructor(retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        code: 'TOO_MANY_REQUESTS',
        message: 'Too many CAPTCHA images for this ticket; try again later',
      },
      HttpStatus.TOO_MANY_REQUESTS,
      'TOO_MANY_REQUESTS',
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
