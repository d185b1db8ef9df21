import { HttpStatus } from '@nestjs/common';
import { ProtectionException } from '../core/protection.exception';

/** Thrown by a store whose backend is down, slow past its command timeout, or erroring. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
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
