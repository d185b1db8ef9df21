import { HttpStatus } from '@nestjs/common';
import { ProtectionException, type RejectionBody } from '../core/protection.exception';

/**
 * The preset answer to a duplicate request: 208 `DEBOUNCED` with `Retry-After` by default.
 * A user exception filter may catch it.
 */
export class DebouncedException extends ProtectionException {
  constructor(
    body: RejectionBody | Record<string, unknown> = {
      statusCode: HttpStatus.ALREADY_REPORTED,
      code: 'DEBOUNCED',
      message: 'Duplicate request, debounced',
    },
    status: number = HttpStatus.ALREADY_REPORTED,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(body, status, 'DEBOUNCED', headers);
  }
}
