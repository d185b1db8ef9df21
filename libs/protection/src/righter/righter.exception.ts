import type { RejectionBody } from '../core/protection.exception';
import { preset, PresetException } from '../core/rejection';

/** A commit whose token does not open; the reason goes to the verbose log, never to the client. */
export const FORGERY = preset(409, 'FORGERY', 'forgery of editor');

/** 409 `FORGERY`: a commit whose token is missing, malformed, tampered, expired, replayed or foreign. */
export class ForgeryException extends PresetException {
  constructor(body?: RejectionBody | Record<string, unknown>, status?: number) {
    super(FORGERY, body, status);
  }
}
