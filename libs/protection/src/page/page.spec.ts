import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageQuery, parseSort } from './page-query';
import { PageResult } from './page-result';

describe('PageResult', () => {
  const pq = (page: number, size: number, sort = ''): PageQuery => new PageQuery(page, size, sort);
  it('computes totalPage = ceil(totalData / size), 0 for no data', () => {
    assert.equal(PageResult.of(0, [], pq(1, 20)).totalPage, 0);
    assert.equal(PageResult.of(-5, [], pq(1, 20)).totalPage, 0);
    assert.equal(PageResult.of(1, [1], pq(1, 20)).totalPage, 1);
    assert.equal(PageResult.of(20, [], pq(1, 20)).totalPage, 1);
    assert.equal(PageResult.of(21, [], pq(1, 20)).totalPage, 2);
    assert.equal(PageResult.of(100, [], pq(1, 7)).totalPage, 15);
  });
  it('serializes to { success, data, page, size, sort, totalPage, totalData }, meta only when given, and map keeps paging and meta', () => {
    const r = PageResult.of(3, [1, 2], pq(2, 2, 'id'), { q: 'x' });
    assert.deepEqual(JSON.parse(JSON.stringify(r)), {
      success: true,
      data: [1, 2],
      page: 2,
      size: 2,
      sort: 'id',
      totalPage: 2,
      totalData: 3,
      meta: { q: 'x' },
    });
    const json = (value: unknown): Record<string, unknown> =>
      JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    assert.deepEqual(json(r.map((n) => ({ n }))).data, [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(json(r.map(String)).meta, { q: 'x' });
    assert.ok(!('meta' in JSON.parse(JSON.stringify(PageResult.of(1, [], pq(1, 1))))));
  });
});

describe('PageQuery', () => {
  it('computes offset and parses sort keys', () => {
    assert.equal(new PageQuery(3, 25).offset, 50);
    assert.deepEqual(parseSort('k1, -k2'), [
      { field: 'k1', direction: 'asc' },
      { field: 'k2', direction: 'desc' },
    ]);
    assert.deepEqual(parseSort(' , ,- ,'), []);
  });
});
