import assert from 'node:assert/strict';
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

    it('documents nothing for @Righter when righter: false', async () => {
      const { doc, app } = await document({ platform, protection: { righter: false } });
      apps.push(app);
      assert.equal(doc.paths['/test/righter.json']?.post?.responses['409'], undefined);
    });
  });
}
