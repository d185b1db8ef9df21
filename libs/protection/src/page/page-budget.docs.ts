import type { RouteDocs } from '../core/swagger';
import { RATE_LIMIT_HEADER_DOCS } from '../store/rate-limit/rate-limit.headers';
import { PAGE_TOO_DEEP, SCRAPING_BUDGET } from './page-budget.exception';
import type { PageDefaultOptions } from './page-options.interface';

/** What `budget` and `maxOffset` add to a `@PageDefault` route's OpenAPI operation. */
export function pageLimitDocs(route: PageDefaultOptions): RouteDocs | null {
  const { budget, maxOffset } = route;
  if (!budget && maxOffset === undefined) return null;
  const docs: RouteDocs = { responses: [] };
  if (maxOffset !== undefined) {
    docs.responses?.push({
      status: PAGE_TOO_DEEP.status,
      description: `The page reaches beyond row ${maxOffset} (maxOffset): page * size > ${maxOffset}`,
      schema: PAGE_TOO_DEEP.schema(),
    });
  }
  if (budget) {
    docs.responses?.push({
      status: SCRAPING_BUDGET.status,
      description: `Scraping budget: ${budget.rows} rows per ${budget.windowMs} ms per client used up`,
      schema: SCRAPING_BUDGET.schema(),
      headers: {
        'Retry-After': { description: 'Whole seconds until the page would fit', type: 'integer' },
        ...RATE_LIMIT_HEADER_DOCS,
      },
    });
    // Set before the handler runs, so on every answer it lets through.
    docs.successHeaders = { ...RATE_LIMIT_HEADER_DOCS };
  }
  return docs;
}
