export { PageQuery, type SortKey } from './page-query';
export { PageResult } from './page-result';
export { PageDefault } from './page-default.decorator';
export { ApiPageResult } from './api-page-result.decorator';
export { PageQueryException } from './page-query.builder';
export type { PageDefaultOptions } from './page-options.interface';
