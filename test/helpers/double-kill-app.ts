import {
  Controller,
  Get,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Query,
  type DynamicModule,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  DoubleKill,
  DoubleKillContext,
  ProgressService,
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

  @DoubleKill({ async: true, key: (id: string) => id, keepResult: true })
  async background(id: string, ms: number): Promise<string> {
    runs.count++;
    await sleep(ms / 2);
    await DoubleKillContext.report(50);
    await sleep(ms / 2);
    return `done ${id}`;
  }

  /** Like `background`, without `keepResult`: its record never holds the result. */
  @DoubleKill({ async: true, key: (id: string) => id })
  async quiet(id: string, ms: number): Promise<string> {
    await sleep(ms);
    return `secret ${id}`;
  }

  @DoubleKill({ key: (v: unknown) => v })
  async nullable(v: unknown): Promise<string> {
    return String(v);
  }

  @DoubleKill({
    key: (v: string) => {
      if (v === 'throw') throw new Error('no key for you');
      return v;
    },
  })
  async throwingKey(v: string): Promise<string> {
    return v;
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

  /** An async job; `keep=1` runs the method that keeps its result in the progress record. */
  @Get('job')
  job(@Query('id') id = 'x', @Query('ms') ms = '100', @Query('keep') keep?: string): unknown {
    return keep === '1'
      ? this.service.background(id, Number(ms))
      : this.service.quiet(id, Number(ms));
  }

  /** `v=null` passes an actual null to the key function. */
  @Get('nullable')
  nullable(@Query('v') v: string): Promise<string> {
    return this.service.nullable(v === 'null' ? null : v);
  }

  @Get('throwing-key')
  throwingKey(@Query('v') v: string): Promise<string> {
    return this.service.throwingKey(v);
  }
}

@Controller('dk-progress')
export class ProgressController {
  constructor(private readonly progress: ProgressService) {}

  @Get(':key')
  async read(@Param('key') key: string): Promise<unknown> {
    const record = await this.progress.get(key);
    if (!record) throw new NotFoundException();
    return record;
  }
}

@Module({})
export class DoubleKillTestModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: DoubleKillTestModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [LockedController, ProgressController],
      providers: [LockedService],
    };
  }
}

// As a child process (argv: Redis URL, module secret): serve on a random port, print it, hold
// locks until killed.
if (require.main === module) {
  void (async () => {
    const app = await NestFactory.create(
      DoubleKillTestModule.with({
        store: { redis: process.argv[2] ?? '' },
        secret: process.argv[3] ?? '',
      }),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    process.stdout.write(`${await app.getUrl()}\n`);
  })();
}
