import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { MultipartTap } from './multipart-tap';

/* The tap on a stand-in request whose body is pushed the way Node's HTTP parser pushes it. */

const BOUNDARY = 'xYz123';
const body = (...parts: string[]): Buffer =>
  Buffer.from(
    parts.map((p) => `--${BOUNDARY}\r\n${p}\r\n`).join('') + `--${BOUNDARY}--\r\n`,
    'latin1',
  );
const field = (name: string, value: string): string =>
  `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
const file = (name: string, filename: string, content: string): string =>
  `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${content}`;

function request(type = `multipart/form-data; boundary=${BOUNDARY}`): IncomingMessage {
  const req = new Readable({ read() {} }) as unknown as IncomingMessage;
  req.headers = { 'content-type': type };
  return req;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const done = (tap: MultipartTap): Promise<void> => new Promise((resolve) => tap.whenDone(resolve));

describe('MultipartTap', () => {
  it('describes fields and files while the reader still gets every byte, however the body is chunked', async () => {
    const payload = body(
      field('a', '1'),
      field('a', '2'),
      file('doc', 'x.png', 'P'.repeat(5000)),
      field('b', 'three'),
    );
    for (const size of [1, 7, 64, payload.length]) {
      const req = request();
      const tap = MultipartTap.attach(req);
      assert.ok(tap);
      const read = readAll(req);
      for (let i = 0; i < payload.length; i += size) req.push(payload.subarray(i, i + size));
      req.push(null);
      assert.deepEqual(await read, payload, `reader got the body unchanged (chunks of ${size})`);
      await done(tap);
      assert.deepEqual(tap.snapshot(), {
        fields: { a: ['1', '2'], b: 'three' },
        files: [{ field: 'doc', name: 'x.png', type: 'image/png', size: 5000 }],
        complete: true,
      });
      assert.equal(MultipartTap.of(req), tap);
    }
  });

  it('is not attached to other bodies or a multipart type without a boundary', () => {
    assert.equal(MultipartTap.attach(request('application/json')), undefined);
    assert.equal(MultipartTap.attach(request('multipart/form-data')), undefined);
  });

  it('a malformed body ends the description, never the request', async () => {
    const req = request();
    const tap = MultipartTap.attach(req);
    assert.ok(tap);
    const read = readAll(req);
    const garbage = Buffer.from(`--${BOUNDARY}\r\nno header end`);
    req.push(garbage);
    req.push(null);
    assert.deepEqual(await read, garbage);
    await done(tap);
    assert.equal(tap.snapshot().complete, false);
  });

  it('keeps field text within its budget and stops on request', async () => {
    const req = request();
    const tap = MultipartTap.attach(req, 10);
    assert.ok(tap);
    req.push(body(field('a', '12345'), field('b', '67890'), field('c', 'dropped')));
    req.push(null);
    await done(tap);
    assert.deepEqual(Object.keys(tap.snapshot().fields), ['a', 'b']);

    const stopped = request();
    const quiet = MultipartTap.attach(stopped);
    assert.ok(quiet);
    quiet.stop();
    const read = readAll(stopped);
    stopped.push(body(file('f', 'y.bin', 'data')));
    stopped.push(null);
    assert.match((await read).toString(), /data/);
    assert.deepEqual(quiet.snapshot().files, []);
  });
});
