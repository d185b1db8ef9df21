import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { exchange } from './fake-http.spec';
import { SlowRequestLog } from './slow-log';
import { SLOW_MS } from './slow-log.decorator';

function slowLog(defaultMs: number): { log: SlowRequestLog; lines: string[] } {
  const lines: string[] = [];
  return { log: new SlowRequestLog(defaultMs, { warn: (m) => void lines.push(m) }), lines };
}

/** A finished response of `method url` with `status`, and the route's @SlowLog threshold if given. */
function response(
  url: string,
  options: { method?: string; status?: number; slowMs?: number } = {},
) {
  const { res } = exchange({ url, method: options.method ?? 'GET' });
  res.statusCode = options.status ?? 200;
  if (options.slowMs !== undefined) (res as { [SLOW_MS]?: number })[SLOW_MS] = options.slowMs;
  return res;
}

describe('SlowRequestLog', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it("logs a response at or over the module's slowMs, without the query string", () => {
    const { log, lines } = slowLog(1000);
    log.check(response('/reports?year=2024'), 999.4);
    log.check(response('/reports?year=2024', { status: 504 }), 1000.4);
    assert.deepEqual(lines, ['Slow request: GET /reports 504 1000 ms']);
  });

  it("uses the route's @SlowLog(ms) threshold over the module's", () => {
    const { log, lines } = slowLog(5000);
    log.check(response('/flagged', { slowMs: 100 }), 150);
    log.check(response('/export', { slowMs: 60_000 }), 30_000);
    assert.deepEqual(lines, ['Slow request: GET /flagged 200 150 ms']);
  });

  it('says it at most once per route every 5 s; each route on its own', () => {
    const { log, lines } = slowLog(100);
    log.check(response('/a'), 200);
    log.check(response('/a'), 300);
    log.check(response('/a', { method: 'POST' }), 400);
    log.check(response('/b'), 500);
    mock.timers.tick(4999);
    log.check(response('/a'), 600);
    mock.timers.tick(1);
    log.check(response('/a'), 700);
    assert.deepEqual(lines, [
      'Slow request: GET /a 200 200 ms',
      'Slow request: POST /a 200 400 ms',
      'Slow request: GET /b 200 500 ms',
      'Slow request: GET /a 200 700 ms',
    ]);
  });
});
