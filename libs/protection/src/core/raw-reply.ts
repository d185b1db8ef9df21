import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { sendRaw } from './http.adapter';
import type { ProtectionResponse } from './http.types';

/** Exact bytes to answer with, status and headers included. */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Carries a response that must go out byte for byte (a reused debounce response, a CAPTCHA
 * image) from a guard or interceptor to `RawReplyFilter`, so the handler does not run.
 * Internal: the route-scoped filter catches it before any user filter.
 */
export class RawReplyException extends HttpException {
  constructor(readonly reply: RawReply) {
    super('Raw reply', reply.status);
  }
}

/**
 * Sends a `RawReplyException`'s reply. A filter, because Nest's normal reply path would force
 * the route's default status and re-serialize the body.
 */
@Catch(RawReplyException)
export class RawReplyFilter implements ExceptionFilter<RawReplyException> {
  catch(exception: RawReplyException, host: ArgumentsHost): void {
    const { status, headers, body } = exception.reply;
    sendRaw(host.switchToHttp().getResponse<ProtectionResponse>(), status, headers, body);
  }
}
