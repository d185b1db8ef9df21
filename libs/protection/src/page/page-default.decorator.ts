import {
  createParamDecorator,
  Inject,
  Injectable,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { requestUrl } from '../core/http.adapter';
import type { ProtectionRequest, ProtectionResponse } from '../core/http.types';
import { documentRoute } from '../core/swagger';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import type { PageDefaultOptions, ResolvedPageSettings } from './page-options.interface';
import { resolvePageRoute, routePageSettings } from './page.options';
import type { PageQuery } from './page-query';
import { buildPageQuery } from './page-query.builder';
import { pageDocs } from './page.docs';
import { pageLimitDocs } from './page-budget.docs';
import { PageBudget } from './page-budget.counter';
import { PAGE_BUDGET } from './page-budget.options';

interface PageInput {
  req: ProtectionRequest;
  res: ProtectionResponse;
  options: PageDefaultOptions;
}

/**
 * Turns the request URL into a `PageQuery` with the module's `page` defaults under the
 * decorator's, and with a `budget` counts its rows (the last step before the handler, after
 * the guards). A pipe, so dependency injection supplies the module options and store.
 */
@Injectable()
export class PageDefaultPipe implements PipeTransform<PageInput, PageQuery | Promise<PageQuery>> {
  private readonly cache = new WeakMap<PageDefaultOptions, ResolvedPageSettings>();
  private readonly budget: PageBudget;

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) store: ProtectionStore,
  ) {
    this.budget = new PageBudget(options, store);
  }

  transform(input: PageInput): PageQuery | Promise<PageQuery> {
    const route = input.options;
    let settings = this.cache.get(route);
    if (!settings) {
      settings = routePageSettings(this.options.page?.defaults, route);
      this.cache.set(route, settings);
    }
    const pq = buildPageQuery(requestUrl(input.req), settings);
    const budget = route.budget;
    if (!budget) return pq;
    return this.budget.count(route, budget, pq, input.req, input.res).then(() => pq);
  }
}

const pageParam = createParamDecorator(
  (options: PageDefaultOptions, context: ExecutionContext): PageInput => {
    const http = context.switchToHttp();
    return {
      req: http.getRequest<ProtectionRequest>(),
      res: http.getResponse<ProtectionResponse>(),
      options,
    };
  },
);

/**
 * Builds the handler's `PageQuery` from the query string: defaults, aliases, clamping,
 * `maxSize`, `sortable`, `strict` and `maxOffset`. With `budget`, counts the rows each client
 * reads from the route (429 `SCRAPING_BUDGET` past it). Documents `page`, `size` and `sort`, and
 * the 400 and 429 of `maxOffset` and `budget`, in Swagger.
 *
 * @example
 * ```ts
 * @Get('users')
 * list(@PageDefault({ size: 30, sortable: ['id', 'name'] }) pq: PageQuery) { ... }
 * ```
 * @throws PageQueryException (400 BAD_PAGE / BAD_SORT / PAGE_TOO_DEEP) in strict mode, for a
 * sort outside `sortable`, or for a page beyond `maxOffset`.
 */
export function PageDefault(options: PageDefaultOptions = {}): ParameterDecorator {
  const checked = resolvePageRoute(options);
  const param = pageParam(checked, PageDefaultPipe);
  const limits = pageLimitDocs(checked);
  const docs = [documentRoute('page', pageDocs(routePageSettings(undefined, checked)))];
  if (limits) docs.push(documentRoute('page', limits));
  return (target, key, index) => {
    param(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    if (checked.budget) budgetRoute(target, key, descriptor, checked);
    for (const d of docs) d(target, key, descriptor);
  };
}

/** Marks the handler as budgeted (one budget per handler; the pipe counts its rows). */
function budgetRoute(
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  options: PageDefaultOptions,
): void {
  const handler = descriptor.value as object;
  if (Reflect.getMetadata(PAGE_BUDGET, handler) !== undefined) {
    throw new Error(
      `@PageDefault: ${String(key)} has two @PageDefault parameters with a budget; keep one.`,
    );
  }
  Reflect.defineMetadata(PAGE_BUDGET, options, handler);
}
