import { Injectable } from '@nestjs/common';
import { DoubleKill, PageResult, type PageQuery } from 'nest-protection';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Item {
  id: number;
  name: string;
}

@Injectable()
export class AppService {
  private orders = 0;
  private readonly items = Array.from({ length: 12 }, (_, i): Item => ({
    id: i + 1,
    name: `item ${i + 1}`,
  }));

  async createOrder(sku: string): Promise<{ id: number; sku: string }> {
    await sleep(200);
    return { id: ++this.orders, sku };
  }

  @DoubleKill({ key: (id: string) => id })
  async pay(id: string): Promise<{ id: string; paid: boolean }> {
    await sleep(300);
    return { id, paid: true };
  }

  list(pq: PageQuery): PageResult<Item> {
    return PageResult.of(this.items.length, this.items.slice(pq.offset, pq.offset + pq.size), pq);
  }
}
