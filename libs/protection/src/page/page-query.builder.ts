import { urlQuery } from '../core/http.adapter';
import { HttpStatus } from '@nestjs/common';
import { ProtectionException } from '../core/protection.exception';
import type { ResolvedPageSettings } from './page-options.interface';
import { MAX_PAGE } from './page.options';
import { PageQuery, parseSort } from './page-query';

const WHOLE = /^\s*[+-]?\d{1,16}\s*$/;
const MAX_SORT = 512;

/**
 * 400 for a bad page, size or sort (strict mode, or a field outside `sortable`), or a page
 * beyond `maxOffset` (`PAGE_TOO_DEEP`).
 */
export class PageQueryException extends ProtectionException {
  constructor(code: 'BAD_PAGE' | 'BAD_SORT' | 'PAGE_TOO_DEEP', message: string) {
    super({ statusCode: HttpStatus.BAD_REQUEST, code, message }, HttpStatus.BAD_REQUEST, code);
  }
}

/** Every value the query string gives for `names`, in alias order then repeat order. */
function values(params: URLSearchParams, names: readonly string[]): string[] {
  return names.flatMap((n) => params.getAll(n));
}

function wholeNumber(value: string): number | undefined {
  return WHOLE.test(value) ? Number(value.trim()) : undefined;
}

/**
 * Builds a `PageQuery` from a request URL's query string: the first valid alias wins, invalid
 * values are skipped (or 400 when `strict`), page below 1 becomes 1, size below 1 the default,
 * size above `maxSize` becomes `maxSize`; a page reaching beyond `maxOffset` (its
 * `offset + size`) is a 400.
 */
export function buildPageQuery(url: string, s: ResolvedPageSettings): PageQuery {
  const params = new URLSearchParams(urlQuery(url) ?? '');

  const pick = (
    name: 'page' | 'size',
    aliases: readonly string[],
    fallback: number,
    max: number,
  ): number => {
    const given = values(params, aliases);
    if (s.strict && given.length > 0) {
      const n = wholeNumber(given[0] as string);
      if (n === undefined || n < 1 || n > max) {
        throw new PageQueryException(
          'BAD_PAGE',
          `Query parameter "${name}" must be a whole number from 1 to ${max}; got ${JSON.stringify((given[0] as string).slice(0, 40))}`,
        );
      }
      return n;
    }
    for (const raw of given) {
      const n = wholeNumber(raw);
      if (n === undefined) continue;
      if (name === 'page') return Math.min(Math.max(n, 1), MAX_PAGE);
      return n < 1 ? fallback : Math.min(n, max);
    }
    return fallback;
  };

  const page = pick('page', s.pageAlias, s.page, MAX_PAGE);
  const size = pick('size', s.sizeAlias, s.size, s.maxSize);
  if (s.maxOffset !== undefined && page * size > s.maxOffset) {
    throw new PageQueryException(
      'PAGE_TOO_DEEP',
      `page ${page} of size ${size} reaches row ${page * size}, beyond maxOffset ${s.maxOffset}`,
    );
  }
  let sort = values(params, s.sortAlias).find((v) => v.trim() !== '') ?? s.sort;
  if (sort.length > MAX_SORT) {
    if (s.strict)
      throw new PageQueryException(
        'BAD_SORT',
        `Query parameter "sort" is longer than ${MAX_SORT} characters`,
      );
    sort = s.sort;
  }
  if (s.sortable) {
    const bad = parseSort(sort).find((k) => !s.sortable?.includes(k.field));
    if (bad) {
      throw new PageQueryException(
        'BAD_SORT',
        `Cannot sort by "${bad.field.slice(0, 64)}"; sortable fields: ${s.sortable.join(', ')}`,
      );
    }
  }
  return new PageQuery(page, size, sort);
}
