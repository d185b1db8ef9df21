import type { PageQuery } from './page-query';

/*
 * How a budgeted page learns what it served: the budget's pipe ties a settlement to the
 * `PageQuery` it hands the handler, and `PageResult.of(total, rows, pq)` reports `rows.length`
 * through it, once. A plain function call where an interceptor would cost Nest's observable
 * pipeline on every request of the route.
 */
const pending = new WeakMap<PageQuery, (served: number) => void>();

/** `settle(rows served)` runs when a `PageResult` is built from `pq` (at most once). */
export function onServed(pq: PageQuery, settle: (served: number) => void): void {
  pending.set(pq, settle);
}

/** A `PageResult` of `rows` rows was built from `pq`. */
export function served(pq: PageQuery, rows: number): void {
  const settle = pending.get(pq);
  if (settle === undefined) return;
  pending.delete(pq);
  settle(rows);
}
