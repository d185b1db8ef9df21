import { Controller, Get, Injectable, Module, Query, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  DoubleKill,
  DoubleKillContext,
  ProtectionModule,
  type ProtectionModuleOptions,
} from 'nest-protection';

/* A small app of @DoubleKill methods for the suites; run as a script it serves on its own (the crash test). */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const runs = { count: 0 };

@Injectable()
export class LockedService {
  @DoubleKill({ key: 'shared-static' })
  async first(ms: number): Promise<string> {
    await sleep(ms);
    return 'first';
  }

  @DoubleKill({ key: 'shared-static' })
  async second(ms: number): Promise<string> {
    await sleep(ms);
    return 'second';
  }

  @DoubleKill({ key: (id: string) => id })
  async boom(id: string): Promise<never> {
    await sleep(20);
    throw new Error(`boom ${id}`);
  }

  @DoubleKill({ key: (id: string) => id, lease: 300 })
  async long(id: string, ms: number): Promise<{ fencing: number | undefined; aborted: boolean }> {
    await sleep(ms);
    return {
      fencing: DoubleKillContext.fencingToken(),
      aborted: DoubleKillContext.signal()?.aborted ?? true,
    };
  }

  @DoubleKill({ key: 'crash', lease: 600 })
  async hold(ms: number): Promise<string> {
    await sleep(ms);
    return 'held';
  }

  @DoubleKill({ async: true, key: (id: string) => id })
  async background(id: string, ms: number): Promise<string> {
    runs.count++;
    await sleep(ms / 2);
    await DoubleKillContext.report(50);
    await sleep(ms / 2);
    return `done ${id}`;
  }

  @DoubleKill({ key: (v: unknown) => v })
  async nullable(v: unknown): Promise<string> {
    return String(v);
  }

  @DoubleKill()
  async byArgs(arg: unknown): Promise<string> {
    return typeof arg;
  }

  @DoubleKill({ key: (n: number) => `sync-${n}` })
  plain(n: number): number {
    return n * 2;
  }
}

@Controller('dk')
export class LockedController {
  constructor(private readonly service: LockedService) {}

  @Get('first')
  first(@Query('ms') ms = '300'): Promise<string> {
    return this.service.first(Number(ms));
  }

  @Get('second')
  second(@Query('ms') ms = '300'): Promise<string> {
    return this.service.second(Number(ms));
  }

  @Get('hold')
  hold(@Query('ms') ms = '30000'): Promise<string> {
    return this.service.hold(Number(ms));
  }

  @Get('long')
  long(@Query('id') id = 'x', @Query('ms') ms = '100'): Promise<unknown> {
    return this.service.long(id, Number(ms));
  }
}

@Module({})
export class DoubleKillTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: DoubleKillTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [LockedController],
      providers: [LockedService],
    };
  }
}

// As a child process: serve on a random port, print it, hold locks until killed.
if (require.main === module) {
  void (async () => {
    const app = await NestFactory.create(
      DoubleKillTestModule.with({
        secret: 'nest-protection-test-secret-0123456789abcdef',
        store: { redis: process.argv[2] ?? '' },
      }),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    process.stdout.write(`${await app.getUrl()}\n`);
  })();
}
