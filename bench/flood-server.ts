import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  ProtectionModule,
  RateLimit,
  Righter,
  RighterService,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { ProtectionStore } from 'nest-protection/store';
import { Module } from '@nestjs/common';

/* The app `flood.ts` floods (a child process, so its heap is the app's alone). argv: [redisUrl]. */

@Controller()
class FloodController {
  constructor(private readonly righter: RighterService) {}

  @Get('edit')
  @Righter({ edit: true, scope: 'flood' })
  edit(): string {
    return this.righter.allow({ id: 1 });
  }

  @Post('once')
  @HttpCode(200)
  @Righter({ once: true, scope: 'flood' })
  once(): string {
    return 'used';
  }

  @Post('login')
  @HttpCode(200)
  @RateLimit({ key: 'ip', limit: 5, window: 600_000 })
  login(): string {
    return 'tried';
  }
}

const SECRET = 'flood-benchmark-secret-0123456789abcdef';

async function main(): Promise<void> {
  const redisUrl = process.argv[2];
  const options: ProtectionModuleOptions = redisUrl
    ? { secret: SECRET, store: { redis: redisUrl } }
    : { righter: { secret: SECRET } };
  @Module({ imports: [ProtectionModule.forRoot(options)], controllers: [FloodController] })
  class FloodModule {}
  const app = await NestFactory.create(FloodModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const store = app.get<Record<string, unknown>>(ProtectionStore);
  process.on('message', (m: string) => {
    if (m !== 'measure') return;
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    const entries = redisUrl ? {} : tableSizes(store);
    process.send?.({ heapUsed: mem.heapUsed, rss: mem.rss, entries });
  });
  process.send?.({ url: await app.getUrl() });
}

/** Live-state entries per memory table (a benchmark may look inside). */
function tableSizes(store: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (name: string, value: unknown, depth: number): void => {
    if (depth > 3 || typeof value !== 'object' || value === null) return;
    if (value instanceof Map) {
      for (const [k, v] of value) visit(`${name}.${String(k)}`, v, depth + 1);
      return;
    }
    const size = (value as { size?: unknown }).size;
    if (typeof size === 'number' && value.constructor.name !== 'Object') {
      out[`${name} (${value.constructor.name})`] = size;
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(name ? `${name}.${k}` : k, v, depth + 1);
  };
  for (const port of ['rateLimit', 'records', 'captcha', 'locks']) visit(port, store[port], 0);
  return out;
}

void main();
