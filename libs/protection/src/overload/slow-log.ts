import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ThrottledLog, type WarnLogger } from '../core/throttled-log';
import { SLOW_MS } from './slow-log.decorator';

interface Thresholded {
  [SLOW_MS]?: number;
}

/**
 * Logs responses slower than their route's `@SlowLog(ms)`, else the module's `slowMs`, at WARN:
 * at most one line per route every 5 s, so a route that is slow on every request does not flood.
 */
export class SlowRequestLog {
  private readonly log: ThrottledLog;

  constructor(
    private readonly defaultMs: number,
    logger: WarnLogger = new Logger('ProtectionOverload'),
  ) {
    this.log = new ThrottledLog(logger, 5000, 1000);
  }

  /** A request ended `ms` after it was admitted. */
  check(res: ServerResponse, ms: number): void {
    const threshold = (res as Thresholded)[SLOW_MS] ?? this.defaultMs;
    if (ms >= threshold) this.report(res, ms);
  }

  private report(res: ServerResponse, ms: number): void {
    const req = res.req as ServerResponse['req'] | undefined;
    const route = `${req?.method ?? 'GET'} ${(req?.url ?? '/').split('?')[0] ?? '/'}`.slice(0, 200);
    this.log.warn(route, () => `Slow request: ${route} ${res.statusCode} ${Math.round(ms)} ms`);
  }
}
