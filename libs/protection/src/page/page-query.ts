/** One sort key of `PageQuery.sortBy()`. */
export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * Pagination parameters: 1-based `page`, `size`, and `sort` (`"k1, -k2"`). Built from the query
 * string by `@PageDefault()`; inside a JSON body (a DTO extending it) it is plain data.
 */
export class PageQuery {
  constructor(
    /** 1-based page number. */
    public page = 1,
    /** Rows per page. */
    public size = 20,
    /** Comma-separated sort keys; a leading `-` means descending. */
    public sort = '',
  ) {}

  /** Rows to skip: `(page - 1) * size`. */
  get offset(): number {
    return (this.page - 1) * this.size;
  }

  /** `"k1, -k2"` -> `[{ field: 'k1', direction: 'asc' }, { field: 'k2', direction: 'desc' }]`. */
  sortBy(): SortKey[] {
    return parseSort(this.sort);
  }
}

/** Comma-separated keys, white space ignored, leading `-` descending, empty items dropped. */
export function parseSort(sort: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of sort.split(',')) {
    const item = raw.replace(/\s+/g, '');
    const desc = item.startsWith('-');
    const field = desc ? item.slice(1) : item;
    if (field !== '') keys.push({ field, direction: desc ? 'desc' : 'asc' });
  }
  return keys;
}
