import { preset, presetException } from '../core/rejection';

/** The preset answer to a duplicate request. */
export const DEBOUNCED = preset(208, 'DEBOUNCED', 'Duplicate request, debounced');

/**
 * The preset answer to a duplicate request: 208 `DEBOUNCED` with `Retry-After` by default.
 * A user exception filter may catch it.
 */
export class DebouncedException extends presetException(DEBOUNCED) {}
