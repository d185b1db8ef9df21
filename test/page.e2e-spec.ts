import { Body, Controller, Get, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  PageDefault,
  PageQuery,
  ProtectionModule,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { post, request } from './helpers/http';
import { PLATFORMS, startDemo, startModule, type RunningApp } from './helpers/platforms';

/* Pagination defaults, aliases, limits and results, through the demo fixtures and a test module. */

type Echo = { page: number; size: number; sort: string };

class SearchDto extends PageQuery {
  q?: string;
}

@Controller('p')
class PageTestController {
  @Get('plain')
  plain(@PageDefault() pq: PageQuery): Echo & { offset: number; sortBy: unknown } {
    return { page: pq.page, size: pq.size, sort: pq.sort, offset: pq.offset, sortBy: pq.sortBy() };
  }

  @Get('lower')
  lower(@PageDefault({ size: 5, page: 1 }) pq: PageQuery): Echo {
    return { page: pq.page, size: pq.size, sort: pq.sort };
  }

  @Get('strict')
  strict(@PageDefault({ strict: true, maxSize: 50 }) pq: PageQuery): Echo {
    return { page: pq.page, size: pq.size, sort: pq.sort };
  }

  @Post('body')
  @HttpCode(200)
  body(@Body() dto: SearchDto): unknown {
    return dto;
  }
}

@Module({})
class PageTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: PageTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [PageTestController],
    };
  }
}

for (const platform of PLATFORMS) {
  describe(`Pagination on ${platform}`, () => {
    let demo: RunningApp;
    let app: RunningApp;
    const get = async (base: string, path: string): Promise<Echo> => {
      const r = await request(base + path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      return r.json<Echo>();
    };
    before(async () => {
      demo = await startDemo({ platform });
      app = await startModule(
        PageTestModule.with({ page: { size: 30, maxSize: 100, sizeAlias: ['size', 'limit'] } }),
        platform,
      );
    });
    afterAll(() => Promise.all([demo.close(), app.close()]));

    it('uses the built-in defaults and the standard names and aliases', async () => {
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html'), {
        page: 1,
        size: 20,
        sort: '',
      });
      assert.deepEqual(await get(demo.url, '/test/page-request-1.html?page=4&size=15&sort=name'), {
        page: 4,
        size: 15,
        sort: 'name',
      });
      assert.deepEqual(
        await get(demo.url, '/test/page-request-1.html?pageNumber=2&pageSize=9&sortBy=-id'),
        { page: 2, size: 9, sort: '-id' },
      );
    });

    it('takes the first valid alias and skips invalid values', async () => {
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html?page=x&pageNumber=3'), {
        page: 3,
        size: 20,
        sort: '',
      });
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html?page=2&pageNumber=3'), {
        page: 2,
        size: 20,
        sort: '',
      });
      assert.deepEqual(
        await get(demo.url, '/test/page-request-0.html?page=1.5&page=4'),
        { page: 4, size: 20, sort: '' },
        'repeats, first valid',
      );
      for (const bad of ['1e3', '0x10', 'abc', '', '9'.repeat(30)]) {
        assert.deepEqual(
          await get(demo.url, `/test/page-request-0.html?page=${bad}&size=${bad}`),
          { page: 1, size: 20, sort: '' },
          bad,
        );
      }
      assert.deepEqual(
        await get(demo.url, '/test/page-request-0.html?page=%203%20'),
        { page: 3, size: 20, sort: '' },
        'surrounding blanks',
      );
    });

    it('clamps: page below 1 -> 1, size below 1 -> default, size above maxSize -> maxSize', async () => {
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html?page=0&size=-5'), {
        page: 1,
        size: 20,
        sort: '',
      });
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html?page=-3&size=0'), {
        page: 1,
        size: 20,
        sort: '',
      });
      assert.deepEqual(await get(demo.url, '/test/page-request-0.html?size=5000'), {
        page: 1,
        size: 1000,
        sort: '',
      });
      assert.deepEqual(await get(app.url, '/p/plain?size=5000'), {
        page: 1,
        size: 100,
        sort: '',
        offset: 0,
        sortBy: [],
      } as Echo);
    });

    it('decorator defaults override global ones in both directions', async () => {
      assert.deepEqual(
        await get(demo.url, '/test/page-request-2.html'),
        { page: 2, size: 22, sort: '' },
        'raises',
      );
      assert.deepEqual(
        await get(demo.url, '/test/page-request-5.html'),
        { page: 1, size: 10, sort: '' },
        'lowers (the original kept 20)',
      );
      assert.deepEqual(
        await get(app.url, '/p/lower'),
        { page: 1, size: 5, sort: '' },
        'lower than the module default 30',
      );
      assert.equal((await get(app.url, '/p/plain')).size, 30, 'module default');
    });

    it('replaces alias lists given on the decorator or the module', async () => {
      assert.deepEqual(await get(demo.url, '/test/page-request-2.html?sb=name&sort=ignored'), {
        page: 2,
        size: 22,
        sort: 'name',
      });
      assert.equal((await get(app.url, '/p/plain?limit=7')).size, 7, 'module sizeAlias');
      assert.equal(
        (await get(app.url, '/p/plain?pageSize=7')).size,
        30,
        'pageSize is no longer an alias there',
      );
    });

    it('offers offset and sortBy()', async () => {
      const r = await request(
        `${app.url}/p/plain?page=3&size=10&sort=${encodeURIComponent(' k1 , -k2,, ')}`,
      );
      assert.deepEqual(r.json(), {
        page: 3,
        size: 10,
        sort: ' k1 , -k2,, ',
        offset: 20,
        sortBy: [
          { field: 'k1', direction: 'asc' },
          { field: 'k2', direction: 'desc' },
        ],
      });
    });

    it('answers 400 naming the field for a sort outside sortable', async () => {
      assert.deepEqual(await get(demo.url, '/test/page-sortable.json?sort=id,-name'), {
        page: 1,
        size: 20,
        sort: 'id,-name',
      });
      const r = await request(`${demo.url}/test/page-sortable.json?sort=id,-password`);
      assert.equal(r.status, 400);
      assert.deepEqual(r.json(), {
        statusCode: 400,
        code: 'BAD_SORT',
        message: 'Cannot sort by "password"; sortable fields: id, name',
      });
    });

    it('strict: 400 for a non-integer or out-of-range page or size', async () => {
      assert.deepEqual(await get(app.url, '/p/strict?page=2&size=50'), {
        page: 2,
        size: 50,
        sort: '',
      });
      for (const q of [
        'page=0',
        'page=abc',
        'size=51',
        'size=0',
        'size=1.5',
        'page=99999999999999',
      ]) {
        const r = await request(`${app.url}/p/strict?${q}`);
        assert.equal(r.status, 400, q);
        const body = r.json<{ code: string; message: string }>();
        assert.equal(body.code, 'BAD_PAGE');
        assert.match(body.message, new RegExp(`Query parameter "${q.split('=')[0]}"`));
      }
    });

    it('leaves a PageQuery in a JSON body as plain data', async () => {
      const r = await post(`${app.url}/p/body`, { json: { page: 0, size: 99999, q: 'x' } });
      assert.deepEqual(r.json(), { page: 0, size: 99999, q: 'x' });
    });

    it('builds PageResult pages: totals, last partial page, empty', async () => {
      const r = await request(`${demo.url}/test/page-result.json?total=45&page=3&size=20`);
      assert.deepEqual(r.json(), {
        success: true,
        data: [{ id: 41 }, { id: 42 }, { id: 43 }, { id: 44 }, { id: 45 }],
        page: 3,
        size: 20,
        sort: '',
        totalPage: 3,
        totalData: 45,
      });
      const empty = await request(`${demo.url}/test/page-result.json?total=0`);
      assert.deepEqual(empty.json(), {
        success: true,
        data: [],
        page: 1,
        size: 20,
        sort: '',
        totalPage: 0,
        totalData: 0,
      });
      const huge = await request(
        `${demo.url}/test/page-result.json?total=999999999999&page=2&size=3`,
      );
      assert.deepEqual(huge.json<{ data: unknown; totalData: number }>().data, [
        { id: 4 },
        { id: 5 },
        { id: 6 },
      ]);
      assert.equal(
        huge.json<{ totalPage: number }>().totalPage,
        333_333_334,
        'total bounded to 1e9 in the fixture',
      );
    });
  });
}

describe('page option validation', () => {
  it('fails the boot naming the option', async () => {
    await assert.rejects(
      startModule(PageTestModule.with({ page: { size: 0 } }), 'fastify'),
      /option "page.size" is 0; expected a whole number from 1 to 1000000/,
    );
    await assert.rejects(
      startModule(PageTestModule.with({ page: { sizes: 3 } as never }), 'fastify'),
      /unknown option "page.sizes"/,
    );
  });
  it('rejects wrong decorator options when the class is defined', () => {
    assert.throws(
      () => PageDefault({ maxSize: 10, size: 20 }),
      /@PageDefault: option "size" is 20; expected at most maxSize \(10\)/,
    );
    assert.throws(
      () => PageDefault({ sortable: [] }),
      /@PageDefault: option "sortable" is \[\]; expected a non-empty list of names/,
    );
  });
});
