import { HttpStatus } from '@nestjs/common';
import { ProtectionException } from '../core/protection.exception';

/** Thrown by a store whose backend is down, slow past its command timeout, or erroring. */
export class StoreUnavailableError extends Error {
  /**
   * False when the command never left this process (not connected): nothing to undo. True when
   * it may have run (a timeout, a connection lost after sending).
   */
  readonly sent: boolean;
  /** Set by a port when the caller may undo the write this error leaves uncertain. */
  undo?: () => void;

  constructor(message: string, options?: { cause?: unknown; sent?: boolean }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.sent = options?.sent ?? true;
  }
}

/**
 * Thrown by a memory table that is full of live entries: security state (a single-use mark, a
 * rate-limit window, a CAPTCHA code) is never forgotten to make room, so the new key is refused
 * and the feature's `onStoreError` policy decides.
 */
export class StoreFullError extends StoreUnavailableError {
  constructor(
    readonly table: string,
    readonly maxEntries: number,
  ) {
    super(
      `memory table "${table}" holds ${maxEntries} live entries (memory.maxEntries); raise it or use a Redis store`,
      { sent: false },
    );
    this.name = 'StoreFullError';
  }
}

/** 503 answered by a protection whose `onStoreError` is `'closed'` while the store is down. */
export class StoreUnavailableException extends ProtectionException {
  constructor(feature: string) {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'STORE_UNAVAILABLE',
        message: `Protection store unavailable (${feature}); try again shortly`,
      },
      HttpStatus.SERVICE_UNAVAILABLE,
      'STORE_UNAVAILABLE',
      { 'Retry-After': '1' },
    );
  }
}

/** 503 answered when a memory table is full of live state and the policy is `'closed'` (or `'local'`). */
export class StoreFullException extends ProtectionException {
  constructor(feature: string) {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'STORE_FULL',
        message: `Protection state is full (${feature}); try again shortly`,
      },
      HttpStatus.SERVICE_UNAVAILABLE,
      'STORE_FULL',
      { 'Retry-After': '1' },
    );
  }
}

/** The 503 a `'closed'` policy answers for `err`. */
export function storeErrorException(feature: string, err: unknown): ProtectionException {
  return err instanceof StoreFullError
    ? new StoreFullException(feature)
    : new StoreUnavailableException(feature);
}
