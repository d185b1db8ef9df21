import type { RejectionBody } from '../core/protection.exception';
import { preset, PresetException } from '../core/rejection';

/** The preset answer to a duplicate request. */
export const DEBOUNCED = preset({
  status: 208,
  code: 'DEBOUNCED',
  message: 'Duplicate request, debounced',
});

/**
 * The preset answer to a duplicate request: 208 `DEBOUNCED` with `Retry-After` by default.
 * A user exception filter may catch it.
 */
export class DebouncedException extends PresetException {
  constructor(
    body?: RejectionBody | Record<string, unknown>,
    status?: number,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(DEBOUNCED, body, status, headers);
  }
}
