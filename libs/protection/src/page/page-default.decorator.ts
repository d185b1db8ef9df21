import {
  createParamDecorator,
  Inject,
  Injectable,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { requestUrl } from '../core/http.adapter';
import type { ProtectionRequest } from '../core/http.types';
import { documentRoute } from '../core/swagger';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import {
  PAGE_BUILTIN,
  type PageDefaultOptions,
  type ResolvedPageSettings,
} from './page-options.interface';
import { mergePageSettings, resolvePageRoute } from './page.options';
import type { PageQuery } from './page-query';
import { buildPageQuery } from './page-query.builder';
import { pageDocs } from './page.docs';

interface PageInput {
  url: string;
  options: PageDefaultOptions;
}

/**
 * Turns the request URL into a `PageQuery` with the module's `page` defaults under the
 * decorator's. A pipe, so dependency injection supplies the module options.
 */
@Injectable()
export class PageDefaultPipe implements PipeTransform<PageInput, PageQuery> {
  private readonly cache = new WeakMap<PageDefaultOptions, ResolvedPageSettings>();

  constructor(@Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions) {}

  transform(input: PageInput): PageQuery {
    let settings = this.cache.get(input.options);
    if (!settings) {
      settings = mergePageSettings(PAGE_BUILTIN, this.options.page ?? undefined, input.options);
      this.cache.set(input.options, settings);
    }
    return buildPageQuery(input.url, settings);
  }
}

const pageParam = createParamDecorator(
  (options: PageDefaultOptions, context: ExecutionContext): PageInput => ({
    url: requestUrl(context.switchToHttp().getRequest<ProtectionRequest>()),
    options,
  }),
);

/**
 * Builds the handler's `PageQuery` from the query string: defaults, aliases, clamping,
 * `maxSize`, `sortable` and `strict`. Documents `page`, `size` and `sort` in Swagger.
 *
 * @example
 * ```ts
 * @Get('users')
 * list(@PageDefault({ size: 30, sortable: ['id', 'name'] }) pq: PageQuery) { ... }
 * ```
 * @throws PageQueryException (400 BAD_PAGE / BAD_SORT) in strict mode or for a sort outside `sortable`.
 */
export function PageDefault(options: PageDefaultOptions = {}): ParameterDecorator {
  const checked = resolvePageRoute(options);
  const param = pageParam(checked, PageDefaultPipe);
  const docs = documentRoute('page', pageDocs(mergePageSettings(PAGE_BUILTIN, checked)));
  return (target, key, index) => {
    param(target, key, index);
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) docs(target, key, descriptor);
    }
  };
}
