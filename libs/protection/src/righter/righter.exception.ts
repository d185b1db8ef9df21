import { HttpStatus } from '@nestjs/common';
import { ProtectionException, type RejectionBody } from '../core/protection.exception';

/** 409 `FORGERY`: a commit whose token is missing, malformed, tampered, expired, replayed or foreign. */
export class ForgeryException extends ProtectionException {
  constructor(
    body: RejectionBody | Record<string, unknown> = {
      statusCode: HttpStatus.CONFLICT,
      code: 'FORGERY',
      message: 'forgery of editor',
    },
    status: number = HttpStatus.CONFLICT,
  ) {
    super(body, status, 'FORGERY');
  }
}
