import type { LoggerService } from '@nestjs/common';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { post, sleep } from './helpers/http';
import { PLATFORMS, startDemo } from './helpers/platforms';

/* Request/response logging (conditions, bodies, headers, redaction) through the demo's /test/reqres-log fixture. */

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
        const r = await post(`${app.url}/test/reqres-log.json`, {
          json: sent,
          headers: { 'x-request-id': 'log-1', authorization: 'Bearer secret' },
        });
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
        assert.match(
          res1,
          /body=\{"user":"ann","password":"\[REDACTED\]","nested":\{"a":1\}\}/,
          'the response body is masked as the request body is',
        );
        assert.ok(!lines.some((l) => l.includes('hunter2') || l.includes('Bearer secret')));
        const req2 = lines.find((l) => l.startsWith('--> POST /test/reqres-log.json [log-2]'));
        assert.match(req2 ?? '', /body=\{"a":"1","password":"\[REDACTED\]"\}/);
        assert.ok(
          !lines.some((l) => l.includes('debounce-nore')),
          'when() returned null for other routes',
        );
      } finally {
        await app.close();
      }
    });

    it('logs a multipart upload as fields plus file names and sizes, never the content; the parser still gets every byte', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({ platform, logger });
      try {
        // 300 KB of random bytes around a marker: many TCP chunks, and a text we can look for in the log.
        const content = Buffer.concat([
          randomBytes(150_000),
          Buffer.from('FILE-CONTENT-MARKER'),
          randomBytes(150_000),
        ]);
        const form = new FormData();
        form.append('note', 'hello');
        form.append('password', 'pw-123');
        form.append('doc', new Blob([content], { type: 'application/octet-stream' }), 'report.bin');
        form.append('pic', new Blob(['tiny'], { type: 'text/plain' }), 'a.txt');
        const r = await fetch(`${app.url}/test/reqres-log/upload.json`, {
          method: 'POST',
          body: form,
          headers: { 'x-request-id': 'up-1' },
        });
        assert.equal(r.status, 200);
        assert.deepEqual(
          await r.json(),
          {
            fields: { note: 'hello', password: 'pw-123' },
            files: [
              {
                field: 'doc',
                name: 'report.bin',
                size: content.length,
                sha256: createHash('sha256').update(content).digest('hex'),
              },
              {
                field: 'pic',
                name: 'a.txt',
                size: 4,
                sha256: createHash('sha256').update('tiny').digest('hex'),
              },
            ],
          },
          'the handler received every field and byte unchanged',
        );

        // A multipart body sent to a route whose handler never parses it is still described.
        const unread = new FormData();
        unread.append('doc', new Blob(['abc']), 'ignored.txt');
        await fetch(`${app.url}/test/reqres-log.json`, {
          method: 'POST',
          body: unread,
          headers: { 'x-request-id': 'up-2' },
        });
        await sleep(50);

        const at = lines.findIndex((l) =>
          l.startsWith('--> POST /test/reqres-log/upload.json [up-1]'),
        );
        assert.ok(at >= 0, lines.join('\n'));
        const line = lines[at] ?? '';
        assert.match(line, /"content-type":"multipart\/form-data; boundary=/);
        assert.match(
          line,
          /body=\{"fields":\{"note":"hello","password":"\[REDACTED\]"\},"files":\[/,
        );
        assert.ok(
          line.includes(
            `{"field":"doc","name":"report.bin","type":"application/octet-stream","size":${content.length}}`,
          ),
          line,
        );
        assert.ok(
          line.includes('{"field":"pic","name":"a.txt","type":"text/plain","size":4}'),
          line,
        );
        assert.ok(
          !line.includes('FILE-CONTENT-MARKER') && !line.includes('tiny'),
          'file contents are never logged',
        );
        assert.ok(!line.includes('partial'), 'the whole body went by before the line was written');
        const res = lines.findIndex((l) =>
          l.startsWith('<-- 200 POST /test/reqres-log/upload.json [up-1]'),
        );
        assert.ok(res > at, 'request line first, then the response line');
        assert.ok(!lines.some((l) => l.includes('FILE-CONTENT-MARKER')));

        const other = lines.find((l) => l.startsWith('--> POST /test/reqres-log.json [up-2]'));
        assert.ok(
          other?.includes(
            '{"field":"doc","name":"ignored.txt","type":"application/octet-stream","size":3}',
          ),
          other,
        );
      } finally {
        await app.close();
      }
    });

    it('masks nested, array and any-case keys in request, response and query string; the handler still gets the body unchanged', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({ platform, logger });
      try {
        const sent = {
          user: { Password: 'x-secret-1', list: [{ password: 'y-secret-2' }], name: 'ann' },
        };
        const r = await post(`${app.url}/test/reqres-log.json?password=q-secret-3&a=1`, {
          json: sent,
          headers: { 'x-request-id': 'deep-1' },
        });
        assert.deepEqual(r.json(), sent, 'the handler received the body unchanged');
        await sleep(50);
        const mine = lines.filter((l) => l.includes('[deep-1]'));
        assert.equal(mine.length, 2, lines.join('\n'));
        for (const secret of ['x-secret-1', 'y-secret-2', 'q-secret-3'])
          assert.ok(
            !lines.some((l) => l.includes(secret)),
            `${secret} leaked: ${lines.join('\n')}`,
          );
        const masked =
          'body={"user":{"Password":"[REDACTED]","list":[{"password":"[REDACTED]"}],"name":"ann"}}';
        const req = mine.find((l) => l.startsWith('--> POST '));
        assert.ok(
          req !== undefined &&
            req.startsWith('--> POST /test/reqres-log.json?password=[REDACTED]&a=1 [deep-1]'),
        );
        assert.ok(req?.endsWith(masked), req);
        const res = mine.find((l) => l.startsWith('<-- 200 POST '));
        assert.ok(res?.endsWith(masked), res);
      } finally {
        await app.close();
      }
    });

    it('escapes control characters: a body or URL cannot start a log line of its own', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({ platform, logger });
      const forged = '\n[Nest] 1  - 01/01/2026, 10:00:00 AM     LOG [Auth] FORGED: admin logged in';
      try {
        const plain = await post(`${app.url}/test/reqres-log.json?x=%0A%0D`, {
          body: `hello${forged}\r\n\u001b[31m\u0085\u2028`,
          headers: { 'content-type': 'text/plain', 'x-request-id': 'forge-1' },
        });
        assert.ok(plain.status < 500, plain.text);
        const json = await post(`${app.url}/test/reqres-log.json`, {
          json: { note: `hi${forged}\u0085\u2028` },
          headers: { 'x-request-id': 'forge-2' },
        });
        assert.deepEqual(json.json(), { note: `hi${forged}\u0085\u2028` });
        await sleep(50);
        const mine = lines.filter((l) => l.includes('[forge-'));
        assert.equal(mine.length, 4, lines.join('\n'));
        for (const line of lines) {
          assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(line), line); // eslint-disable-line no-control-regex
          assert.match(line, /^(-->|<--) /);
          assert.ok(!line.includes('\n[Nest]'), line);
        }
        assert.ok(
          mine.some((l) => l.includes('\\n[Nest] 1  - ')),
          'the forged text is logged escaped',
        );
        if (platform === 'fastify') {
          // Fastify hands a text body to the handler as a string: it is logged as text, escaped.
          const req = mine.find((l) =>
            l.startsWith('--> POST /test/reqres-log.json?x=%0A%0D [forge-1]'),
          );
          assert.ok(req?.includes('body=hello\\n[Nest] 1 '), req);
          assert.ok(req?.includes('\\r\\n\\u001b[31m\\u0085\\u2028'), req);
        }
      } finally {
        await app.close();
      }
    });

    it('writes one JSON object per line with format: json', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({
        platform,
        logger,
        protection: {
          logging: {
            format: 'json',
            when: () => ({
              requestBody: true,
              responseBody: true,
              requestHeaders: ['authorization'],
              responseHeaders: ['content-type'],
              redact: ['password', 'authorization', 'card.number'],
            }),
          },
        },
      });
      try {
        const sent = {
          card: { Number: '4111-secret', list: [{ PASSWORD: 'p-secret' }] },
          note: 'a\nb',
        };
        const r = await post(`${app.url}/test/reqres-log.json?Password=q-secret&k=v`, {
          json: sent,
          headers: { 'x-request-id': 'json-1', authorization: 'Bearer tok-secret' },
        });
        assert.deepEqual(r.json(), sent);
        await sleep(50);
        assert.ok(lines.length >= 2, lines.join('\n'));
        const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.ok(!lines.some((l) => /secret/.test(l)), lines.join('\n'));
        const masked = {
          card: { Number: '[REDACTED]', list: [{ PASSWORD: '[REDACTED]' }] },
          note: 'a\nb',
        };
        const req = entries.find((e) => e.type === 'request' && e.requestId === 'json-1');
        assert.deepEqual(req, {
          type: 'request',
          method: 'POST',
          url: '/test/reqres-log.json?Password=[REDACTED]&k=v',
          requestId: 'json-1',
          headers: { authorization: '[REDACTED]' },
          body: masked,
        });
        const res = entries.find((e) => e.type === 'response' && e.requestId === 'json-1');
        assert.ok(res, lines.join('\n'));
        assert.equal(res.status, 200);
        assert.equal(typeof res.ms, 'number');
        assert.match(String((res.headers as Record<string, unknown>)['content-type']), /json/);
        assert.deepEqual(res.body, masked);
      } finally {
        await app.close();
      }
    });

    it('cuts long bodies at maxBodyBytes with a marker', async () => {
      const { logger, lines } = collector();
      const app = await startDemo({
        platform,
        logger,
        protection: {
          logging: { when: () => ({ requestBody: true, response: false, maxBodyBytes: 20 }) },
        },
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
