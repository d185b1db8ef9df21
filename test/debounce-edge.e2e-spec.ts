import {
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  StreamableFile,
  type DynamicModule,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after as afterAll, before, describe, it } from 'node:test';
import { Debounce, ProtectionModule, type ProtectionModuleOptions } from 'nest-protection';
import { startingAfter, post, request } from './helpers/http';
import { PLATFORMS, startModule, type RunningApp } from './helpers/platforms';

/* Debounce behaviours the demo fixtures do not reach: what is not stored, custom answers, off. */

let seq = 0;

@Controller('edge')
class EdgeController {
  @Get('slow')
  // HEAD requests reach this GET handler on both platforms.
  @Debounce({ waiting: 1000, reuse: true, method: false })
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 150));
    return `slow-${++seq}`;
  }

  @Post('big')
  @HttpCode(200)
  @Debounce({ waiting: 1000, reuse: true })
  async big(): Promise<string> {
    await new Promise((r) => setTimeout(r, 150));
    return 'x'.repeat(2000) + ++seq;
  }

  @Post('stream')
  @HttpCode(200)
  @Debounce({ waiting: 1000, reuse: true })
  async stream(): Promise<StreamableFile> {
    await new Promise((r) => setTimeout(r, 150));
    return new StreamableFile(Readable.from([Buffer.from('chunk-'), Buffer.from(String(++seq))]));
  }

  @Post('plain')
  @HttpCode(200)
  @Debounce({ waiting: 1000 })
  plain(): string {
    return `plain-${++seq}`;
  }
}

@Module({})
class EdgeModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: EdgeModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [EdgeController],
    };
  }
}

for (const platform of PLATFORMS) {
  describe(`@Debounce edge cases on ${platform}`, () => {
    let app: RunningApp;
    let base: string;
    before(async () => {
      app = await startModule(
        EdgeModule.with({
          debounce: {
            maxBodyBytes: 1000,
            response: {
              status: 429,
              body: ({ body }) => ({ ...body, hint: 'slow down' }),
              contentType: 'application/problem+json',
            },
          },
        }),
        platform,
      );
      base = app.url + '/edge';
    });
    afterAll(() => app.close());

    it('does not store a HEAD response: a GET follower of a HEAD leader gets the preset answer', async () => {
      const s = { headers: { 'user-agent': 'head-' + platform } };
      const [head, get] = await Promise.all([
        request(`${base}/slow`, { method: 'HEAD', ...s }),
        startingAfter(30, () => request(`${base}/slow`, s)),
      ]);
      assert.equal(head.status, 200);
      assert.equal(get.status, 429);
      assert.ok(
        get.ms < 400,
        `answered when the leader ended, not at the window end (${get.ms.toFixed(0)} ms)`,
      );
    });

    it('does not store a body over maxBodyBytes', async () => {
      const s = { headers: { 'user-agent': 'big-' + platform } };
      const [leader, follower] = await Promise.all([
        post(`${base}/big`, s),
        startingAfter(30, () => post(`${base}/big`, s)),
      ]);
      assert.equal(leader.status, 200);
      assert.equal(leader.text.length, 2000 + String(seq).length);
      assert.equal(follower.status, 429);
    });

    it('does not store a streamed response (StreamableFile)', async () => {
      const s = { headers: { 'user-agent': 'stream-' + platform } };
      const [leader, follower] = await Promise.all([
        post(`${base}/stream`, s),
        startingAfter(30, () => post(`${base}/stream`, s)),
      ]);
      assert.equal(leader.status, 200);
      assert.match(leader.text, /^chunk-\d+$/);
      assert.equal(follower.status, 429);
    });

    it('uses the module `response` option for the preset answer', async () => {
      const s = { headers: { 'user-agent': 'custom-' + platform } };
      assert.equal((await post(`${base}/plain`, s)).status, 200);
      const dup = await post(`${base}/plain`, s);
      assert.equal(dup.status, 429);
      assert.match(dup.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.deepEqual(dup.json(), {
        statusCode: 429,
        code: 'DEBOUNCED',
        message: 'Duplicate request, debounced',
        hint: 'slow down',
      });
      assert.equal(dup.headers.get('retry-after'), '1');
    });
  });

  describe(`@Debounce switched off on ${platform}`, () => {
    let app: RunningApp;
    before(async () => {
      app = await startModule(EdgeModule.with({ debounce: false }), platform);
    });
    afterAll(() => app.close());

    it('runs every request when debounce: false', async () => {
      const replies = await Promise.all([1, 2, 3].map(() => post(`${app.url}/edge/plain`)));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200],
      );
      assert.equal(new Set(replies.map((r) => r.text)).size, 3);
    });
  });
}

describe('ProtectionModule.forRootAsync', () => {
  @Module({})
  class AsyncEdgeModule {}

  it('takes options from a factory with injected dependencies', async () => {
    const CONFIG = 'CONFIG';
    @Module({ providers: [{ provide: CONFIG, useValue: { waiting: 300 } }], exports: [CONFIG] })
    class ConfigModule {}
    const app = await startModule(
      {
        module: AsyncEdgeModule,
        imports: [
          ProtectionModule.forRootAsync({
            imports: [ConfigModule],
            inject: [CONFIG],
            useFactory: async (config: { waiting: number }) => ({
              debounce: { waiting: config.waiting, response: { status: 429 } },
            }),
          }),
        ],
        controllers: [EdgeController],
      },
      'fastify',
    );
    try {
      const s = { headers: { 'user-agent': 'async-options' } };
      assert.equal((await post(`${app.url}/edge/plain`, s)).status, 200);
      assert.equal(
        (await post(`${app.url}/edge/plain`, s)).status,
        429,
        'options from the factory apply',
      );
    } finally {
      await app.close();
    }
  });
});

describe('ProtectionModule option validation', () => {
  it('fails the boot with a message naming the option, its value and what is allowed', async () => {
    await assert.rejects(
      startModule(EdgeModule.with({ debounce: { waiting: -5 } }), 'fastify'),
      /option "debounce.waiting" is -5; expected a whole number from 1 to 3600000/,
    );
    await assert.rejects(
      startModule(EdgeModule.with({ debounse: {} } as ProtectionModuleOptions), 'fastify'),
      /unknown option "debounse"/,
    );
    await assert.rejects(
      startModule(EdgeModule.with({ store: { redis: 'http://nope' } }), 'fastify'),
      /option "store.redis" is "http:\/\/nope"; expected a redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\/ URL/,
    );
  });

  it('rejects a wrong @Debounce option when the class is defined', () => {
    assert.throws(
      () => Debounce({ waiting: 0 }),
      /@Debounce: option "waiting" is 0; expected a whole number from 1 to 3600000/,
    );
    assert.throws(() => Debounce({ header: ['bad header'] }), /@Debounce: option "header"/);
    assert.throws(
      () => Debounce({ reuse: 'yes' as unknown as boolean }),
      /@Debounce: option "reuse" is "yes"; expected true or false/,
    );
  });
});
