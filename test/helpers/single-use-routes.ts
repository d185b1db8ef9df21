import { Controller, Get, HttpCode, Post, type Type } from '@nestjs/common';
import { Righter, RighterService } from 'nest-protection';

/**
 * A controller at `path` with `GET edit` (issues a @Righter token for `scope`) and `POST once`
 * (accepts a token of that scope once): the single-use fixture of the flood and undo suites.
 */
export function singleUseRoutes(path: string, scope: string): Type<unknown> {
  @Controller(path)
  class SingleUseController {
    constructor(private readonly righter: RighterService) {}

    @Get('edit')
    @Righter({ edit: true, scope })
    edit(): string {
      return this.righter.allow({ id: 1 });
    }

    @Post('once')
    @HttpCode(200)
    @Righter({ once: true, scope })
    once(): string {
      return 'used';
    }
  }
  return SingleUseController;
}
