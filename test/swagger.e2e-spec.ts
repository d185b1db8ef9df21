import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after as afterAll, describe, it } from 'node:test';
import { request } from './helpers/http';
import { startDemo, type RunningApp } from './helpers/platforms';

/* The demo's generated OpenAPI document shows what each decorator does (spec README section 6). */

interface Operation {
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

async function document(options: Parameters<typeof startDemo>[0]): Promise<{ doc: Doc; app: RunningApp; ui: string }> {
  const app = await startDemo({ swagger: true, ...options });
  const json = await request(app.url + '/docs-json');
  assert.equal(json.status, 200);
  const ui = await request(app.url + '/docs');
  return { doc: json.json<Doc>(), app, ui: ui.text };
}

for (const platform of ['fastify', 'express'] as const) {
  describe(`Swagger on ${platform}`, () => {
    const apps: RunningApp[] = [];
    afterAll(() => Promise.all(apps.map((a) => a.close())));

    it('serves the UI at /docs and documents @Debounce: 208 with its body, Retry-After and X-Debounce', async () => {
      const { doc, app, ui } = await document({ platform });
      apps.push(app);
      assert.match(ui, /swagger-ui/i);
      const nore = doc.paths['/test/debounce-nore.json']?.post;
      const view = doc.paths['/test/debounce-view.json']?.post;
      assert.ok(nore && view);
      const r208 = nore.responses['208'];
      assert.ok(r208, 'nore documents 208');
      assert.deepEqual(Object.keys(r208.headers ?? {}), ['Retry-After']);
      const schema = r208.content?.['application/json']?.schema;
      assert.deepEqual(Object.keys(schema?.properties ?? {}), ['statusCode', 'code', 'message']);
      assert.deepEqual(Object.keys(view.responses['208']?.headers ?? {}).sort(), ['Retry-After', 'X-Debounce']);
      assert.equal(doc.paths['/test/load/speed.html']?.get?.responses['208'], undefined, 'unannotated route untouched');
    });

    it('documents @Righter: Right-Editor on the edit response, the required header and 409 on the commit', async () => {
      const { doc, app } = await document({ platform });
      apps.push(app);
      const edit = doc.paths['/test/righter.json']?.get;
      const commit = doc.paths['/test/righter.json']?.post as (Operation & { parameters?: Array<{ name: string; in: string; required?: boolean }> }) | undefined;
      assert.deepEqual(Object.keys(edit?.responses['200']?.headers ?? {}), ['Right-Editor']);
      assert.ok(commit?.responses['409'], 'commit documents 409');
      const header = commit.parameters?.find((p) => p.in === 'header' && p.name === 'Right-Editor');
      assert.equal(header?.required, true);
    });

    it('documents nothing for a protection that is switched off', async () => {
      const { doc, app } = await document({ platform, protection: { debounce: false } });
      apps.push(app);
      assert.equal(doc.paths['/test/debounce-nore.json']?.post?.responses['208'], undefined);
      assert.equal(doc.paths['/test/debounce-view.json']?.post?.responses['208'], undefined);
    });

    it('documents @FirstBlood: 406 with Client-Ticket, 429, and the two query parameters', async () => {
      const { doc, app } = await document({ platform });
      apps.push(app);
      const op = doc.paths['/test/captcha.json']?.get as (Operation & { parameters?: Array<{ name: string; in: string }> }) | undefined;
      assert.ok(op?.responses['406'], '406 documented');
      assert.deepEqual(Object.keys(op.responses['406']?.headers ?? {}), ['Client-Ticket']);
      assert.ok(op.responses['429'], '429 documented');
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
      assert.deepEqual(names, ['header:Client-Ticket', 'query:check-captcha-image', 'query:quest-captcha-image']);
    });

    it('documents @PageDefault: page, size, sort with defaults, bounds and aliases', async () => {
      const { doc, app } = await document({ platform });
      apps.push(app);
      type Param = { name: string; in: string; description?: string; schema?: { default?: unknown; minimum?: number; maximum?: number } };
      const params = (path: string): Param[] => ((doc.paths[path]?.get as unknown as { parameters?: Param[] })?.parameters ?? []);
      const two = params('/test/page-request-2.html');
      assert.deepEqual(two.map((p) => `${p.in}:${p.name}`), ['query:page', 'query:size', 'query:sb']);
      assert.deepEqual(two[0]?.schema, { type: 'integer', default: 2, minimum: 1, maximum: 2147483647 });
      assert.deepEqual(two[1]?.schema, { type: 'integer', default: 22, minimum: 1, maximum: 1000 });
      assert.match(two[0]?.description ?? '', /Also read as: pageNumber/);
      assert.match(two[1]?.description ?? '', /Also read as: pageSize/);
      const sortable = params('/test/page-sortable.json').find((p) => p.name === 'sort');
      assert.match(sortable?.description ?? '', /Sortable: id, name/);
    });

    it('documents @DoubleKill on a route: 202 with key and elapsed', async () => {
      const { doc, app } = await document({ platform });
      apps.push(app);
      const r202 = doc.paths['/test/double-kill.json']?.get?.responses['202'];
      assert.ok(r202, '202 documented');
      assert.deepEqual(Object.keys(r202.content?.['application/json']?.schema.properties ?? {}), ['statusCode', 'code', 'message', 'key', 'elapsed']);
      assert.equal(doc.paths['/test/double-kill-async.json']?.get?.responses['202'], undefined, 'the service method is not a route');
    });

    it('documents @RateLimit: 429 with Retry-After, RateLimit-Policy and RateLimit', async () => {
      const { doc, app } = await document({ platform });
      apps.push(app);
      const r429 = doc.paths['/test/rate-limit.json']?.get?.responses['429'];
      assert.deepEqual(Object.keys(r429?.headers ?? {}), ['Retry-After', 'RateLimit-Policy', 'RateLimit']);
    });

    it('documents nothing for @Righter when righter: false', async () => {
      const { doc, app } = await document({ platform, protection: { righter: false } });
      apps.push(app);
      assert.equal(doc.paths['/test/righter.json']?.post?.responses['409'], undefined);
    });
  });
}

describe('OpenAPI snapshot of the demo', () => {
  // Compiled to dist/test: the snapshot lives in the source tree.
  const file = join(__dirname, '..', '..', 'test', '__snapshots__', 'openapi.json');

  function normalize(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(normalize);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, normalize((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  }

  it('matches the committed snapshot (UPDATE_SNAPSHOT=1 npm test rewrites it on purpose)', async () => {
    const app = await startDemo({ swagger: true });
    try {
      const doc = normalize((await request(app.url + '/docs-json')).json());
      const text = JSON.stringify(doc, null, 2) + '\n';
      if (process.env.UPDATE_SNAPSHOT === '1' || !existsSync(file)) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
        if (process.env.UPDATE_SNAPSHOT !== '1') assert.fail(`no snapshot yet: wrote ${file}; review and commit it`);
        return;
      }
      const expected = readFileSync(file, 'utf8');
      assert.equal(
        text,
        expected,
        'The demo OpenAPI document changed. If on purpose, run UPDATE_SNAPSHOT=1 npm test and commit test/__snapshots__/openapi.json.',
      );
    } finally {
      await app.close();
    }
  });
});
