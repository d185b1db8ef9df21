import type { PageQuery } from './page-query';
import { served } from './page-budget.settlement';

/**
 * A page of results: `{ success: true, data, page, size, sort, totalPage, totalData, meta? }`.
 * @example
 * ```ts
 * return PageResult.of(total, rows, pq).map(toDto);
 * ```
 */
export class PageResult<T> {
  readonly success = true as const;

  private constructor(
    readonly data: T[],
    readonly page: number,
    readonly size: number,
    readonly sort: string,
    readonly totalPage: number,
    readonly totalData: number,
    readonly meta?: Record<string, unknown>,
  ) {}

  /** `totalPage = ceil(totalData / size)`, 0 when `totalData <= 0`. */
  static of<T>(
    totalData: number,
    data: T[],
    pq: PageQuery,
    meta?: Record<string, unknown>,
  ): PageResult<T> {
    const total = Number.isFinite(totalData) && totalData > 0 ? Math.floor(totalData) : 0;
    const totalPage = total === 0 || pq.size <= 0 ? 0 : Math.ceil(total / pq.size);
    // A budgeted route counts the rows actually served.
    if (Array.isArray(data)) served(pq, data.length);
    return new PageResult(data, pq.page, pq.size, pq.sort, totalPage, total, meta);
  }

  /** The same page with its data transformed; paging fields and `meta` kept. */
  map<U>(fn: (item: T, index: number) => U): PageResult<U> {
    return new PageResult(
      this.data.map(fn),
      this.page,
      this.size,
      this.sort,
      this.totalPage,
      this.totalData,
      this.meta,
    );
  }

  toJSON(): Record<string, unknown> {
    const { success, data, page, size, sort, totalPage, totalData, meta } = this;
    return {
      success,
      data,
      page,
      size,
      sort,
      totalPage,
      totalData,
      ...(meta !== undefined ? { meta } : {}),
    };
  }
}
