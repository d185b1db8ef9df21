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
});
