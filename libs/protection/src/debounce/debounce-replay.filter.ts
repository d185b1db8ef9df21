import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { sendRaw } from '../core/http.adapter';
import type { ProtectionResponse } from '../core/http.types';
import { DebounceReplayException } from './debounce.exception';

/**
 * Sends a reused response with the leader's status, headers and body bytes. It is a filter
 * because Nest's normal reply path would force the route's default status and re-serialize.
 */
@Catch(DebounceReplayException)
export class DebounceReplayFilter implements ExceptionFilter<DebounceReplayException> {
  catch(exception: DebounceReplayException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ProtectionResponse>();
    const { status, headers, body } = exception.stored;
    sendRaw(res, status, { ...headers, 'x-debounce': 'reused' }, body);
  }
}
