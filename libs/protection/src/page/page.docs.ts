import type { RouteDocs } from '../core/swagger';
import type { ResolvedPageSettings } from './page-options.interface';
import { MAX_PAGE } from './page.options';

const aka = (aliases: readonly string[]): string =>
  aliases.length > 1 ? ` Also read as: ${aliases.slice(1).join(', ')}.` : '';

/** Swagger query parameters for `@PageDefault` (built-in and decorator defaults). */
export function pageDocs(s: ResolvedPageSettings): RouteDocs {
  const [page = 'page'] = s.pageAlias;
  const [size = 'size'] = s.sizeAlias;
  const [sort = 'sort'] = s.sortAlias;
  return {
    queries: [
      {
        name: page,
        description: `1-based page number.${aka(s.pageAlias)}`,
        required: false,
        type: 'integer',
        default: s.page,
        minimum: 1,
        maximum: MAX_PAGE,
      },
      {
        name: size,
        description: `Rows per page (larger values are clamped to ${s.maxSize}).${aka(s.sizeAlias)}`,
        required: false,
        type: 'integer',
        default: s.size,
        minimum: 1,
        maximum: s.maxSize,
      },
      {
        name: sort,
        description:
          'Comma-separated sort keys; a leading "-" sorts descending.' +
          (s.sortable ? ` Sortable: ${s.sortable.join(', ')}.` : '') +
          aka(s.sortAlias),
        required: false,
        type: 'string',
        default: s.sort,
      },
    ],
  };
}

/** Swagger for a `PageResult` of `item`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function pageResultDocs(item: Function, description: string): RouteDocs {
  return {
    extraModels: [item],
    // The handler's own answer, so protections on the route add their headers to it.
    success: {
      status: 200,
      description,
      schema: {
        type: 'object',
        required: ['success', 'data', 'page', 'size', 'sort', 'totalPage', 'totalData'],
        properties: {
          success: { type: 'boolean', example: true },
          data: { type: 'array', items: { $ref: `#/components/schemas/${item.name}` } },
          page: { type: 'integer', example: 1 },
          size: { type: 'integer', example: 20 },
          sort: { type: 'string', example: '' },
          totalPage: { type: 'integer', example: 5 },
          totalData: { type: 'integer', example: 93 },
          meta: { type: 'object', additionalProperties: true },
        },
      },
    },
  };
}
