import { Controller, Get, Module, Post, type DynamicModule } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ApiDoubleKill,
  Debounce,
  DoubleKill,
  FirstBlood,
  ProtectionModule,
  RateLimit,
  Righter,
  RighterService,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { request } from './helpers/http';
import { startDemo, startModule } from './helpers/platforms';

/* The demo's generated OpenAPI document shows what each decorator does. */

interface Operation {
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, unknown>;
      content?: Record<
        string,
        {
          schema: {
            properties?: Record<string, unknown>;
            $ref?: string;
            type?: string;
            items?: { $ref?: string };
          };
        }
      >;
    }
  >;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** The documented statuses of an operation, sorted. */
const statuses = (op: Operation | undefined): string[] => Object.keys(op?.responses ?? {}).sort();
const headerNames = (op: Operation | undefined, status: string): string[] =>
  Object.keys(op?.responses[status]?.headers ?? {});

class Ticket {
  @ApiProperty()
  id!: number;
}

/**
 * What the Swagger CLI plugin compiles into a controller: the return type of each method, read
 * by Swagger when it builds the document.
 */
const pluginMetadata = (): Record<string, Record<string, unknown>> => ({
  plugin: { type: [Ticket] },
  pluginPlain: { type: [Ticket] },
  pluginPost: { status: 201, type: Ticket },
});

/** Decorator orders and combinations the demo does not have. */
@Controller('docs-cases')
class DocsCasesController {
  static _OPENAPI_METADATA_FACTORY = pluginMetadata;

  constructor(private readonly righter: RighterService) {}

  /** An edit route that is a POST: Right-Editor on its 201. */
  @Post('edit')
  @Righter(false)
  edit(): Ticket {
    this.righter.allow({ id: 1 });
    return { id: 1 };
  }

  /** The user's response below ours (applied first). */
  @Post('below')
  @RateLimit({ limit: 5, window: 1000, name: 'below' })
  @ApiCreatedResponse({ type: Ticket, description: 'Created ticket' })
  below(): Ticket {
    return { id: 2 };
  }

  /** The user's 200 above ours on a POST: no default 201 beside it. */
  @Post('above')
  @ApiOkResponse({ type: Ticket, description: 'Found ticket' })
  @Debounce({ reuse: true })
  above(): Ticket {
    return { id: 3 };
  }

  /** The plugin's return type survives a protection. */
  @Get('plugin')
  @FirstBlood()
  plugin(): Ticket[] {
    return [];
  }

  /** The same without a protection: what Swagger makes of the plugin's metadata itself. */
  @Get('plugin-plain')
  pluginPlain(): Ticket[] {
    return [];
  }

  @Post('plugin-post')
  @RateLimit({ limit: 5, window: 1000, name: 'plugin-post' })
  pluginPost(): Ticket {
    return { id: 4 };
  }

  /** A route that calls a `@DoubleKill({ async: true })` service method. */
  @Get('async-job')
  @ApiDoubleKill({ async: true })
  asyncJob(): string {
    return 'started';
  }

  /** Both on one route: one 202, its description not repeated. */
  @Get('both')
  @ApiDoubleKill()
  @DoubleKill({ principal: false })
  async both(): Promise<string> {
    return 'done';
  }
}

@Module({})
class DocsCasesModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: DocsCasesModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [DocsCasesController],
    };
  }
}

/** Boots DocsCasesModule and returns its document (built at once, before another boot re-syncs the docs). */
async function casesDocument(
  platform: 'fastify' | 'express',
  options: ProtectionModuleOptions = {},
): Promise<Doc> {
  const app = await startModule(DocsCasesModule.with(options), platform, (a) => {
    SwaggerModule.setup(
      'docs',
      a,
      () => SwaggerModule.createDocument(a, new DocumentBuilder().build()),
      { jsonDocumentUrl: 'docs-json' },
    );
  });
  try {
    const json = await request(app.url + '/docs-json');
    assert.equal(json.status, 200);
    return json.json<Doc>();
  } finally {
    await app.close();
  }
}

/** Boots the demo, fetches its document and UI page, and closes it again. */
async function document(
  options: Parameters<typeof startDemo>[0],
): Promise<{ doc: Doc; ui: string }> {
  const app = await startDemo({ swagger: true, ...options });
  try {
    const json = await request(app.url + '/docs-json');
    assert.equal(json.status, 200);
    const ui = await request(app.url + '/docs');
    return { doc: json.json<Doc>(), ui: ui.text };
  } finally {
    await app.close();
  }
}

for (const platform of ['fastify', 'express'] as const) {
  describe(`Swagger on ${platform}`, () => {
    it('serves the UI at /docs and documents @Debounce: 208 with its body and Retry-After, X-Debounce on the reuse success', async () => {
      const { doc, ui } = await document({ platform });
      assert.match(ui, /swagger-ui/i);
      const nore = doc.paths['/test/debounce-nore.json']?.post;
      const view = doc.paths['/test/debounce-view.json']?.post;
      assert.ok(nore && view);
      const r208 = nore.responses['208'];
      assert.ok(r208, 'nore documents 208');
      assert.deepEqual(Object.keys(r208.headers ?? {}), ['Retry-After']);
      const schema = r208.content?.['application/json']?.schema;
      assert.deepEqual(Object.keys(schema?.properties ?? {}), ['statusCode', 'code', 'message']);
      // X-Debounce is sent on the replayed leader response, never on the 208.
      assert.deepEqual(headerNames(view, '208'), ['Retry-After']);
      assert.deepEqual(headerNames(view, '200'), ['X-Debounce']);
      assert.deepEqual(headerNames(nore, '200'), [], 'no X-Debounce without reuse');
      assert.equal(
        doc.paths['/test/load/speed.html']?.get?.responses['208'],
        undefined,
        'unannotated route untouched',
      );
    });

    it("keeps each decorated route's own success response beside the protection's", async () => {
      const { doc } = await document({ platform });
      const op = (path: string, method: string): Operation | undefined => doc.paths[path]?.[method];
      // @HttpCode(200) POST, a POST without @HttpCode (201), and the GET protections.
      assert.deepEqual(statuses(op('/test/debounce-nore.json', 'post')), ['200', '208']);
      assert.deepEqual(statuses(op('/test/debounce-error.json', 'post')), ['201', '208']);
      assert.deepEqual(statuses(op('/test/captcha.json', 'get')), ['200', '406', '429']);
      assert.deepEqual(statuses(op('/test/righter.json', 'post')), ['200', '409']);
      assert.deepEqual(statuses(op('/test/righter.json', 'get')), ['200']);
      assert.deepEqual(statuses(op('/test/double-kill.json', 'get')), ['200', '202']);
      assert.deepEqual(statuses(op('/test/rate-limit.json', 'get')), ['200', '429']);
      // An undecorated route keeps what Swagger gives it.
      assert.deepEqual(statuses(op('/test/load/speed.html', 'get')), ['200']);
    });

    it('documents @HttpCode(204) + @Debounce as 204, not the POST default 201', async () => {
      const { doc } = await document({ platform });
      assert.deepEqual(statuses(doc.paths['/test/debounce-204.json']?.post), ['204', '208']);
    });

    it("keeps the user's own @ApiOkResponse type and description beside @Debounce, with X-Debounce on it", async () => {
      const { doc } = await document({ platform });
      const typed = doc.paths['/test/debounce-typed.json']?.post;
      assert.deepEqual(statuses(typed), ['200', '208']);
      const ok = typed?.responses['200'];
      assert.equal(ok?.description, 'The ticket');
      assert.equal(
        ok?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/DebounceTicket',
      );
      assert.deepEqual(headerNames(typed, '200'), ['X-Debounce']);
    });

    it('documents @Righter: Right-Editor on the edit response, the required header and 409 on the commit', async () => {
      const { doc } = await document({ platform });
      const edit = doc.paths['/test/righter.json']?.get;
      const commit = doc.paths['/test/righter.json']?.post as
        | (Operation & { parameters?: Array<{ name: string; in: string; required?: boolean }> })
        | undefined;
      assert.deepEqual(Object.keys(edit?.responses['200']?.headers ?? {}), ['Right-Editor']);
      assert.ok(commit?.responses['409'], 'commit documents 409');
      const header = commit.parameters?.find((p) => p.in === 'header' && p.name === 'Right-Editor');
      assert.equal(header?.required, true);
    });

    it('documents nothing for a protection that is switched off', async () => {
      const { doc } = await document({ platform, protection: { debounce: false } });
      assert.equal(doc.paths['/test/debounce-nore.json']?.post?.responses['208'], undefined);
      assert.equal(doc.paths['/test/debounce-view.json']?.post?.responses['208'], undefined);
      // What Swagger makes of the route without us: its own success response, no X-Debounce.
      assert.deepEqual(statuses(doc.paths['/test/debounce-view.json']?.post), ['200']);
      assert.deepEqual(headerNames(doc.paths['/test/debounce-view.json']?.post, '200'), []);
      assert.deepEqual(statuses(doc.paths['/test/debounce-error.json']?.post), ['201']);
      assert.deepEqual(statuses(doc.paths['/test/debounce-204.json']?.post), ['204']);
      const typed = doc.paths['/test/debounce-typed.json']?.post;
      assert.deepEqual(statuses(typed), ['200']);
      assert.equal(typed?.responses['200']?.description, 'The ticket');
      assert.equal(
        typed?.responses['200']?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/DebounceTicket',
      );
      assert.deepEqual(headerNames(typed, '200'), []);
      // The other protections stay documented.
      assert.deepEqual(statuses(doc.paths['/test/rate-limit.json']?.get), ['200', '429']);
    });

    it('documents @FirstBlood: 406 with Client-Ticket, 429, and the two query parameters', async () => {
      const { doc } = await document({ platform });
      const op = doc.paths['/test/captcha.json']?.get as
        (Operation & { parameters?: Array<{ name: string; in: string }> }) | undefined;
      assert.ok(op?.responses['406'], '406 documented');
      assert.deepEqual(Object.keys(op.responses['406']?.headers ?? {}), ['Client-Ticket']);
      assert.ok(op.responses['429'], '429 documented');
      const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`).sort();
      assert.deepEqual(names, [
        'header:Client-Ticket',
        'query:check-captcha-image',
        'query:quest-captcha-image',
      ]);
    });

    it('documents @PageDefault: page, size, sort with defaults, bounds and aliases', async () => {
      const { doc } = await document({ platform });
      type Param = {
        name: string;
        in: string;
        description?: string;
        schema?: { default?: unknown; minimum?: number; maximum?: number };
      };
      const params = (path: string): Param[] =>
        (doc.paths[path]?.get as unknown as { parameters?: Param[] })?.parameters ?? [];
      const two = params('/test/page-request-2.html');
      assert.deepEqual(
        two.map((p) => `${p.in}:${p.name}`),
        ['query:page', 'query:size', 'query:sb'],
      );
      assert.deepEqual(two[0]?.schema, {
        type: 'integer',
        default: 2,
        minimum: 1,
        maximum: 2147483647,
      });
      assert.deepEqual(two[1]?.schema, { type: 'integer', default: 22, minimum: 1, maximum: 1000 });
      assert.match(two[0]?.description ?? '', /Also read as: pageNumber/);
      assert.match(two[1]?.description ?? '', /Also read as: pageSize/);
      const sortable = params('/test/page-sortable.json').find((p) => p.name === 'sort');
      assert.match(sortable?.description ?? '', /Sortable: id, name/);
    });

    it('documents a @PageDefault budget and maxOffset: the 400, the 429 with its headers, size bounded by the budget', async () => {
      const { doc } = await document({ platform });
      const op = doc.paths['/test/page-budget.json']?.get;
      assert.deepEqual(statuses(op), ['200', '400', '429']);
      const codeOf = (status: string): unknown =>
        (
          op?.responses[status]?.content?.['application/json']?.schema.properties?.code as
            { example?: string } | undefined
        )?.example;
      assert.equal(codeOf('400'), 'PAGE_TOO_DEEP');
      assert.equal(codeOf('429'), 'SCRAPING_BUDGET');
      assert.deepEqual(headerNames(op, '429'), ['Retry-After', 'RateLimit-Policy', 'RateLimit']);
      assert.deepEqual(headerNames(op, '200'), ['RateLimit-Policy', 'RateLimit']);
      const size = (
        op as unknown as { parameters: Array<{ name: string; schema: { maximum: number } }> }
      ).parameters.find((p) => p.name === 'size');
      assert.equal(size?.schema.maximum, 50, 'no page is longer than the budget');
      assert.deepEqual(
        statuses(doc.paths['/test/page-result.json']?.get),
        ['200'],
        'no budget, no maxOffset: nothing more',
      );
    });

    it('documents @DoubleKill on a route: 202 with key and elapsed', async () => {
      const { doc } = await document({ platform });
      const r202 = doc.paths['/test/double-kill.json']?.get?.responses['202'];
      assert.ok(r202, '202 documented');
      assert.deepEqual(Object.keys(r202.content?.['application/json']?.schema.properties ?? {}), [
        'statusCode',
        'code',
        'message',
        'key',
        'elapsed',
      ]);
      assert.equal(
        doc.paths['/test/double-kill-async.json']?.get?.responses['202'],
        undefined,
        'the service method is not a route',
      );
    });

    it('documents a service-level @DoubleKill on the route with @ApiDoubleKill: the same 202', async () => {
      const { doc } = await document({ platform });
      const service = doc.paths['/test/double-kill-service.json']?.get;
      assert.deepEqual(statuses(service), ['200', '202']);
      assert.deepEqual(
        service?.responses['202'],
        doc.paths['/test/double-kill.json']?.get?.responses['202'],
      );
    });

    it('documents @RateLimit: RateLimit and RateLimit-Policy on the 200, and with Retry-After on the 429', async () => {
      const { doc } = await document({ platform });
      const op = doc.paths['/test/rate-limit.json']?.get;
      assert.deepEqual(headerNames(op, '429'), ['Retry-After', 'RateLimit-Policy', 'RateLimit']);
      assert.deepEqual(headerNames(op, '200'), ['RateLimit-Policy', 'RateLimit']);
    });

    it('documents Retry-After on the rejections that send it: the 208 and the CAPTCHA 429', async () => {
      const { doc } = await document({ platform });
      assert.deepEqual(headerNames(doc.paths['/test/debounce-body.json']?.post, '208'), [
        'Retry-After',
      ]);
      assert.deepEqual(headerNames(doc.paths['/test/captcha.json']?.get, '429'), ['Retry-After']);
    });

    it('documents nothing for @Righter when righter: false', async () => {
      const { doc } = await document({ platform, protection: { righter: false } });
      assert.equal(doc.paths['/test/righter.json']?.post?.responses['409'], undefined);
      assert.deepEqual(statuses(doc.paths['/test/righter.json']?.post), ['200']);
      assert.deepEqual(headerNames(doc.paths['/test/righter.json']?.get, '200'), []);
    });

    it('puts Right-Editor on the success status of a POST edit route (201)', async () => {
      const doc = await casesDocument(platform);
      const edit = doc.paths['/docs-cases/edit']?.post;
      assert.deepEqual(statuses(edit), ['201']);
      assert.deepEqual(headerNames(edit, '201'), ['Right-Editor']);
    });

    it("keeps the user's own 2xx whichever side of the protection it is declared on", async () => {
      const doc = await casesDocument(platform);
      const below = doc.paths['/docs-cases/below']?.post;
      assert.deepEqual(statuses(below), ['201', '429']);
      assert.equal(below?.responses['201']?.description, 'Created ticket');
      assert.equal(
        below?.responses['201']?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/Ticket',
      );
      assert.deepEqual(headerNames(below, '201'), ['RateLimit-Policy', 'RateLimit']);
      // A 200 declared above @Debounce on a POST: the user's 200 only, no default 201.
      const above = doc.paths['/docs-cases/above']?.post;
      assert.deepEqual(statuses(above), ['200', '208']);
      assert.equal(above?.responses['200']?.description, 'Found ticket');
      assert.equal(
        above?.responses['200']?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/Ticket',
      );
      assert.deepEqual(headerNames(above, '200'), ['X-Debounce']);
    });

    it("keeps the Swagger CLI plugin's return type on a protected route", async () => {
      const doc = await casesDocument(platform);
      const plugin = doc.paths['/docs-cases/plugin']?.get;
      const plain = doc.paths['/docs-cases/plugin-plain']?.get;
      assert.deepEqual(statuses(plugin), ['200', '406', '429']);
      assert.equal(
        plain?.responses['200']?.content?.['application/json']?.schema.items?.$ref,
        '#/components/schemas/Ticket',
      );
      assert.deepEqual(
        plugin?.responses['200'],
        plain?.responses['200'],
        'as Swagger makes it without the protection',
      );
      const post = doc.paths['/docs-cases/plugin-post']?.post;
      assert.deepEqual(statuses(post), ['201', '429']);
      assert.equal(
        post?.responses['201']?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/Ticket',
      );
      assert.deepEqual(headerNames(post, '201'), ['RateLimit-Policy', 'RateLimit']);
    });

    it('documents @ApiDoubleKill({ async: true }), and one 202 beside @DoubleKill', async () => {
      const doc = await casesDocument(platform);
      const job = doc.paths['/docs-cases/async-job']?.get;
      assert.deepEqual(statuses(job), ['200', '202']);
      assert.match(job?.responses['202']?.description ?? '', /background/);
      const both = doc.paths['/docs-cases/both']?.get;
      assert.deepEqual(statuses(both), ['200', '202']);
      assert.equal(both?.responses['202']?.description, 'The same call is already running');
    });

    it('takes its docs back when a protection is switched off and puts them back when it is on again', async () => {
      const off = await casesDocument(platform, { rateLimit: false, doubleKill: false });
      const below = off.paths['/docs-cases/below']?.post;
      assert.deepEqual(statuses(below), ['201']);
      assert.equal(below?.responses['201']?.description, 'Created ticket');
      assert.deepEqual(headerNames(below, '201'), []);
      // Swagger's own pass over the plugin's metadata, as if we were never there.
      const pluginPost = off.paths['/docs-cases/plugin-post']?.post;
      assert.deepEqual(statuses(pluginPost), ['201']);
      assert.equal(
        pluginPost?.responses['201']?.content?.['application/json']?.schema.$ref,
        '#/components/schemas/Ticket',
      );
      assert.deepEqual(headerNames(pluginPost, '201'), []);
      assert.deepEqual(statuses(off.paths['/docs-cases/both']?.get), ['200']);
      const on = await casesDocument(platform);
      assert.deepEqual(statuses(on.paths['/docs-cases/below']?.post), ['201', '429']);
      assert.deepEqual(headerNames(on.paths['/docs-cases/below']?.post, '201'), [
        'RateLimit-Policy',
        'RateLimit',
      ]);
      assert.deepEqual(statuses(on.paths['/docs-cases/both']?.get), ['200', '202']);
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
        if (process.env.UPDATE_SNAPSHOT !== '1')
          assert.fail(`no snapshot yet: wrote ${file}; review and commit it`);
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
