import { ProtectionException, type RejectionBody } from '../core/protection.exception';
import { preset } from '../core/rejection';

/** The preset answer to a duplicate request. */
export const DEBOUNCED = preset({ status: 208, code: 'DEBOUNCED', message: 'Duplicate request, debounced' });

/**
 * The preset answer to a duplicate request: 208 `DEBOUNCED` with `Retry-After` by default.
 * A user exception filter may catch it.
 */
export class DebouncedException extends ProtectionException {
  constructor(
    body: RejectionBody | Record<string, unknown> = DEBOUNCED.body(),
    status: number = DEBOUNCED.status,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(body, status, DEBOUNCED.code, headers);
  }
}
