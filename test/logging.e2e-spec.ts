import type { LoggerService } from '@nestjs/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { post, sleep } from './helpers/http';
import { PLATFORMS, startDemo } from './helpers/platforms';

/* Request/response logging of shared/spec/overload.md through the demo's /test/reqres-log fixture. */

function collector(): { logger: LoggerService; lines: string[] } {
  const lines: string[] = [];
  const keep = (m: unknown, context?: unknown): void => {
    if (context === 'ProtectionLogging') lines.push(String(m));
  };
  return { lines, logger: { log: keep, warn: keep, error: () => undefined } };
}

for (const platform of PLATFORMS) {
  describe(`Request/response logging on ${platform}`, () => {
    it('logs JSON and form requests with bodies, chosen headers, redaction, request id and elapsed ms; the handler gets the body unchanged', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({ platform, logger });
      try {
        const sent = { user: 'ann', password: 'hunter2', nested: { a: 1 } };
        const r = await post(`${app.url}/test/reqres-log.json`, { json: sent, headers: { 'x-request-id': 'log-1', authorization: 'Bearer secret' } });
        assert.deepEqual(r.json(), sent, 'the handler received the body unchanged');
        const form = await post(`${app.url}/test/reqres-log.json`, {
          body: 'a=1&password=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'log-2' },
        });
        assert.deepEqual(form.json(), { a: '1', password: 'x' });
        await post(`${app.url}/test/debounce-nore.json?p=${platform}-quiet`);
        await sleep(50);
        const req1 = lines.find((l) => l.startsWith('--> POST /test/reqres-log.json [log-1]'));
        assert.ok(req1, lines.join('\n'));
        assert.match(req1, /"authorization":"\[REDACTED\]"/);
        assert.match(req1, /body=\{"user":"ann","password":"\[REDACTED\]","nested":\{"a":1\}\}/);
        const res1 = lines.find((l) => l.startsWith('<-- 200 POST /test/reqres-log.json [log-1]'));
        assert.ok(res1);
        assert.match(res1, / \d+ ms /);
        assert.match(res1, /body=\{"user":"ann","password":"hunter2","nested":\{"a":1\}\}/, 'response body as sent (redaction applies to requests)');
        const req2 = lines.find((l) => l.startsWith('--> POST /test/reqres-log.json [log-2]'));
        assert.match(req2 ?? '', /body=\{"a":"1","password":"\[REDACTED\]"\}/);
        assert.ok(!lines.some((l) => l.includes('debounce-nore')), 'when() returned null for other routes');
      } finally {
        await app.close();
      }
    });

    it('cuts long bodies at maxBodyBytes with a marker', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({
        platform,
        logger,
        protection: { logging: { when: () => ({ requestBody: true, response: false, maxBodyBytes: 20 }) } },
      });
      try {
        await post(`${app.url}/test/reqres-log.json`, { json: { text: 'x'.repeat(100) } });
        await sleep(20);
        const line = lines.find((l) => l.startsWith('--> POST /test/reqres-log.json'));
        assert.match(line ?? '', /body=\{"text":"xxxxxxxxxxx\.\.\.\[cut \d+ chars\]$/);
      } finally {
        await app.close();
      }
    });
  });
}
