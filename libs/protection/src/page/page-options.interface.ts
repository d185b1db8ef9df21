import type { ProtectionMode } from '../core/decisions';
import type { StoreErrorPolicy } from '../core/option-reader';

/** A route's scraping budget: rows one client may read from the route per sliding window. */
export interface PageBudgetOptions {
  /** Rows served per window and client, 1 to 1,000,000. */
  rows: number;
  /** Window length in ms, 1000 to 31 days. */
  windowMs: number;
}

/** Options of `@PageDefault()`; module option `page` sets the global defaults. */
export interface PageDefaultOptions {
  /** Default page. @default 1 */
  page?: number;
  /** Default size. @default 20 */
  size?: number;
  /** Default sort. @default '' */
  sort?: string;
  /** Query names read for the page, first valid one wins. @default ['page', 'pageNumber'] */
  pageAlias?: readonly string[];
  /** Query names read for the size. @default ['size', 'pageSize'] */
  sizeAlias?: readonly string[];
  /** Query names read for the sort. @default ['sort', 'sortBy'] */
  sortAlias?: readonly string[];
  /** Sizes above are clamped to it. @default 1000 */
  maxSize?: number;
  /** When set, sorting on any other field is a 400 naming the field. */
  sortable?: readonly string[];
  /** A non-integer or out-of-range page or size is a 400 instead of a fallback. @default false */
  strict?: boolean;
  /**
   * Deepest row a request may reach: a page whose `offset + size` is above it is a 400
   * `PAGE_TOO_DEEP`. 0 to 1e12. @default no limit
   */
  maxOffset?: number;
  /**
   * Decorator only. Rows one client (the authenticated user, else the client address key) may
   * read from this route per sliding window; past it, 429 `SCRAPING_BUDGET` before the handler
   * runs. Pages are at most `rows` long on such a route.
   */
  budget?: PageBudgetOptions;
  /**
   * The scraping budget's mode (only with `budget`; module option `page.mode` sets the default):
   * `'shadow'` counts the rows as usual, reports a page past the budget (outcome `shadow`,
   * reason `SCRAPING_BUDGET`) and serves it. `maxOffset` is always enforced. @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** Module option `page`: the global `@PageDefault` defaults (no `budget`: that is per route). */
export interface PageModuleOptions extends Omit<PageDefaultOptions, 'budget'> {
  /**
   * While the store is down, the scraping budgets: `'local'` counts in this process alone,
   * `'open'` serves uncounted, `'closed'` answers 503. @default 'local'
   */
  onStoreError?: StoreErrorPolicy;
}

/** Module option `page` after validation. */
export interface ResolvedPageModuleOptions {
  /** The defaults under the decorators' options. */
  readonly defaults: PageDefaultOptions;
  readonly onStoreError: StoreErrorPolicy;
  /** The scraping budgets' default mode. */
  readonly mode: ProtectionMode;
}

/** Fully resolved page settings (decorator over module over built-in). */
export interface ResolvedPageSettings {
  readonly page: number;
  readonly size: number;
  readonly sort: string;
  readonly pageAlias: readonly string[];
  readonly sizeAlias: readonly string[];
  readonly sortAlias: readonly string[];
  readonly maxSize: number;
  readonly sortable: readonly string[] | undefined;
  readonly strict: boolean;
  readonly maxOffset: number | undefined;
}

export const PAGE_BUILTIN: ResolvedPageSettings = Object.freeze({
  page: 1,
  size: 20,
  sort: '',
  pageAlias: Object.freeze(['page', 'pageNumber']),
  sizeAlias: Object.freeze(['size', 'pageSize']),
  sortAlias: Object.freeze(['sort', 'sortBy']),
  maxSize: 1000,
  sortable: undefined,
  strict: false,
  maxOffset: undefined,
});
