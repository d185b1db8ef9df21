export { PageQuery, type SortKey } from './page-query';
export { PageResult } from './page-result';
export { PageDefault } from './page-default.decorator';
export { ApiPageResult } from './api-page-result.decorator';
export { PageQueryException } from './page-query.builder';
export { ScrapingBudgetException } from './page-budget.exception';
export type {
  PageBudgetOptions,
  PageDefaultOptions,
  PageModuleOptions,
} from './page-options.interface';
