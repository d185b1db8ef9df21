import { documentRoute } from '../core/swagger';
import { pageResultDocs } from './page.docs';

/**
 * Documents a `PageResult` of `item` as the 200 response (Swagger only; a no-op without
 * @nestjs/swagger). `item` should carry `@ApiProperty()` fields.
 * @example
 * ```ts
 * @Get() @ApiPageResult(UserDto)
 * list(@PageDefault() pq: PageQuery): Promise<PageResult<UserDto>> { ... }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function ApiPageResult(item: Function, description = 'A page of results'): MethodDecorator {
  return documentRoute('page', pageResultDocs(item, description));
}
