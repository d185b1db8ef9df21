import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { post, request } from './helpers/http';
import { PLATFORMS, startDemo, type RunningApp } from './helpers/platforms';

/* Malformed bodies on the demo's logged routes: a clear 4xx JSON error, and the process keeps serving. */

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

for (const platform of PLATFORMS) {
  describe(`bad input on ${platform}`, () => {
    let demo: RunningApp;
    before(async () => {
      demo = await startDemo({ platform, logger: false });
    });
    afterAll(async () => {
      await demo?.close();
    });

    const upload = (body: string, type = 'multipart/form-data; boundary=xyz') =>
      post(`${demo.url}/test/reqres-log/upload.json`, { body, headers: { 'content-type': type } });

    it('a multipart body cut inside a file part is a 400, and the process keeps serving', async () => {
      // Request logging reads a copy of this body too: its parser must not crash the process.
      const cut = await upload(
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc',
      );
      assert.equal(cut.status, 400, cut.text);
      assert.equal(cut.json<{ code: string }>().code, 'BAD_MULTIPART');
      assert.equal((await request(`${demo.url}/test/load/speed.html`)).status, 200);
    });

    it('a multipart body without its boundary is a 400', async () => {
      const r = await upload('garbage', 'multipart/form-data');
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json<{ code: string }>().code, 'BAD_MULTIPART');
    });

    it('JSON nested 20,000 deep is a 400 (never a 500 from the serializer)', async () => {
      const r = await post(`${demo.url}/test/reqres-log.json`, {
        body: nested(20_000),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json<{ code: string }>().code, 'BAD_BODY');
    });

    it('JSON nested 100,000 deep is a 4xx JSON error: 400, or 413 where the body limit comes first', async () => {
      const r = await post(`${demo.url}/test/reqres-log.json`, {
        body: nested(100_000),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, platform === 'express' ? 413 : 400, r.text);
      assert.equal(r.json<{ statusCode: number }>().statusCode, r.status);
      assert.equal((await request(`${demo.url}/test/load/speed.html`)).status, 200);
    });
  });
}
