import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiDoubleKill,
  Debounce,
  FirstBlood,
  PageDefault,
  PageQuery,
  PageResult,
  RateLimit,
  Righter,
  RighterAudit,
  RighterService,
} from 'nest-protection';
import { AppService, type Item } from './app.service.js';

class CreateOrderDto {
  sku!: string;
}

@Controller()
export class AppController {
  constructor(
    private readonly app: AppService,
    private readonly righter: RighterService,
  ) {}

  @Post('orders')
  @Debounce({ waiting: 1000, reuse: true, body: true })
  create(@Body() dto: CreateOrderDto): Promise<{ id: number; sku: string }> {
    return this.app.createOrder(dto.sku);
  }

  @Post('payments/:id')
  @HttpCode(200)
  @ApiDoubleKill()
  pay(@Param('id') id: string): Promise<{ id: string; paid: boolean }> {
    return this.app.pay(id);
  }

  @Get('login')
  @FirstBlood({ first: 0 })
  login(): { welcome: boolean } {
    return { welcome: true };
  }

  @Get('users/:id/edit')
  @Righter({ edit: true, scope: 'user-edit' })
  edit(@Param('id') id: string): { id: string; name: string } {
    this.righter.allow({ id });
    return { id, name: 'Ada' };
  }

  @Put('users/:id')
  @Righter({ scope: 'user-edit' })
  save(@RighterAudit() audit: { id: string }): { id: string } {
    return audit;
  }

  @Get('items')
  list(@PageDefault({ size: 5 }) pq: PageQuery): PageResult<Item> {
    return this.app.list(pq);
  }

  @Get('limited')
  @RateLimit({ limit: 2, window: 10000 })
  limited(): { ok: boolean } {
    return { ok: true };
  }
}
