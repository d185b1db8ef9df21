import { ProtectionException, type RejectionBody } from '../core/protection.exception';
import { preset } from '../core/rejection';

/** A commit whose token does not open; the reason goes to the verbose log, never to the client. */
export const FORGERY = preset({ status: 409, code: 'FORGERY', message: 'forgery of editor' });

/** 409 `FORGERY`: a commit whose token is missing, malformed, tampered, expired, replayed or foreign. */
export class ForgeryException extends ProtectionException {
  constructor(body: RejectionBody | Record<string, unknown> = FORGERY.body(), status: number = FORGERY.status) {
    super(body, status, FORGERY.code);
  }
}
