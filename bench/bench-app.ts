import {
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  Debounce,
  PageDefault,
  PageQuery,
  PageResult,
  ProtectionModule,
  RateLimit,
  type ProtectionModuleOptions,
} from 'nest-protection';

import { signedBenchModule } from './bench-signed';

/* The apps the benchmark measures: one route each, so only the protection under test differs. */

@Controller()
class BareController {
  @Get('speed')
  speed(): string {
    return 'speed';
  }
}

/** Measures Nest's guard pipeline alone: a guard that lets everything through. */
class PassGuard {
  canActivate(): boolean {
    return true;
  }
}

@Controller()
class DebounceController {
  @Get('pass')
  @UseGuards(PassGuard)
  pass(): string {
    return 'speed';
  }

  // Same shape as /speed (no parameters), so only the decorator differs; the unique query
  // string the benchmark sends is part of the debounce key.
  @Get('debounce')
  @Debounce({ waiting: 500 })
  debounce(): string {
    return 'speed';
  }

  // A window of 1 ms: the same decision, but its entry dies at once (what retention costs).
  @Get('debounce-short')
  @Debounce({ waiting: 1 })
  debounceShort(): string {
    return 'speed';
  }

  @Get('debounce-reuse')
  @Debounce({ waiting: 500, reuse: true })
  debounceReuse(): string {
    return 'speed';
  }
}

/** Same limit as the throttler below; one client, so the log grows all run (the allowed path). */
const LIMIT = 1_000_000;

@Controller()
class OursLimitedController {
  @Get('rl')
  @RateLimit({ limit: LIMIT, window: 60_000, name: 'bench' })
  rl(): string {
    return 'speed';
  }

  @Get('rl-blocked')
  @RateLimit({ limit: 1, window: 60_000, name: 'blocked' })
  blocked(): string {
    return 'speed';
  }
}

const ONE_ROW = [{ id: 1 }];

/** A full page of one row per request: one store step, no refund, never refused. */
@Controller()
class PageBudgetController {
  @Get('page-budget')
  page(
    @PageDefault({ size: 1, budget: { rows: LIMIT, windowMs: 60_000 } }) pq: PageQuery,
  ): PageResult<{ id: number }> {
    return PageResult.of(1, ONE_ROW, pq);
  }

  /** The same route without a budget: the reference the budget's share is measured against. */
  @Get('page-plain')
  plain(@PageDefault({ size: 1 }) pq: PageQuery): PageResult<{ id: number }> {
    return PageResult.of(1, ONE_ROW, pq);
  }
}

@Controller()
@UseGuards(ThrottlerGuard)
class ThrottlerLimitedController {
  @Get('rl')
  rl(): string {
    return 'speed';
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

@Module({})
class ProtectedModule {
  /**
   * (b) is the bare app's very controller plus the module: only the module differs. (Routes of
   * other shapes in the same app change V8's feedback for Nest's shared route-handler code, and
   * with it the cost of every route, so the debounce routes live in an app of their own.)
   */
  static with(
    options: ProtectionModuleOptions,
    controller: typeof BareController | typeof DebounceController,
  ): DynamicModule {
    return {
      module: ProtectedModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [controller],
    };
  }
}

@Module({})
class ThrottlerBenchModule {
  static with(limit: number, redisUrl: string | undefined): DynamicModule {
    return {
      module: ThrottlerBenchModule,
      imports: [
        ThrottlerModule.forRoot({
          // Named by limit: the blocked scenario's key must not block the allowed one's on a
          // shared Redis.
          throttlers: [{ name: `limit-${limit}`, ttl: 60_000, limit }],
          ...(redisUrl ? { storage: new ThrottlerStorageRedisService(redisUrl) } : {}),
        }),
      ],
      controllers: [ThrottlerLimitedController],
    };
  }
}

/** `cluster:host:port,host:port,...` (the bench's argument for a Cluster) as the store option. */
function clusterOf(arg: string | undefined): { cluster: string[] } {
  if (!arg?.startsWith('cluster:'))
    throw new Error(`a Cluster scenario needs cluster:<nodes>, got ${arg}`);
  return { cluster: arg.slice('cluster:'.length).split(',') };
}

@Module({})
class OursLimitedModule {
  static with(redis: string | { cluster: string[] } | undefined): DynamicModule {
    // BENCH_OPTIONS='{"terminal":false,"overload":false}': without the module's own defaults.
    const extra = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as ProtectionModuleOptions;
    const store = redis ? { secret: BENCH_SECRET, store: { redis } } : {};
    return {
      module: OursLimitedModule,
      imports: [ProtectionModule.forRoot({ ...store, ...extra })],
      controllers: [OursLimitedController],
    };
  }
}

@Module({})
class PageBudgetModule {
  static with(): DynamicModule {
    return {
      module: PageBudgetModule,
      imports: [ProtectionModule.forRoot({})],
      controllers: [PageBudgetController],
    };
  }
}

const FLOOR_REDIS = Symbol('FLOOR_REDIS');

/**
 * The floor of any Redis-backed limiter: a guard that sends one INCR per request on a plain
 * ioredis client (auto-pipelined, no timeout, no key building, no headers) and lets it through.
 */
@Injectable()
class OneRoundTripGuard implements CanActivate {
  constructor(@Inject(FLOOR_REDIS) private readonly redis: Redis) {}

  async canActivate(): Promise<boolean> {
    return (await this.redis.incr('floor')) > 0;
  }
}

@Controller()
class FloorController {
  @Get('rl')
  @UseGuards(OneRoundTripGuard)
  rl(): string {
    return 'speed';
  }
}

@Module({})
class FloorModule {
  static with(redisUrl: string): DynamicModule {
    return {
      module: FloorModule,
      providers: [
        {
          provide: FLOOR_REDIS,
          useFactory: () => new Redis(redisUrl, { enableAutoPipelining: true }),
        },
        OneRoundTripGuard,
      ],
      controllers: [FloorController],
    };
  }
}

const FLEXIBLE_LIMITER = Symbol('FLEXIBLE_LIMITER');
const FLEXIBLE_HEADERS = Symbol('FLEXIBLE_HEADERS');

/**
 * rate-limiter-flexible as a Nest user would wire it: a guard that consumes 1 point per request,
 * keyed by the client address, and answers 429 (JSON body, Retry-After) when refused. With
 * `headers`, it also writes the two IETF RateLimit headers ours writes, from the limiter's
 * result: the same answer as ours, byte for byte in the headers.
 */
@Injectable()
class FlexibleGuard implements CanActivate {
  private readonly policy: string;

  constructor(
    @Inject(FLEXIBLE_LIMITER) private readonly limiter: RateLimiterAbstract,
    @Inject(FLEXIBLE_HEADERS) private readonly headers: boolean,
  ) {
    this.policy = `"bench";q=${limiter.points};w=${limiter.duration}`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<{ ip: string }>();
    const res = http.getResponse<{ header(name: string, value: string): void }>();
    try {
      const r = await this.limiter.consume(req.ip);
      if (this.headers) this.write(res, r);
      return true;
    } catch (err: unknown) {
      // Refused: the limiter rejects with its result; anything else (Redis down) is an error.
      if (!(err instanceof RateLimiterRes)) throw err;
      if (this.headers) this.write(res, err);
      res.header('Retry-After', String(Math.ceil(err.msBeforeNext / 1000)));
      throw new HttpException('Too Many Requests', HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  private write(res: { header(name: string, value: string): void }, r: RateLimiterRes): void {
    res.header('RateLimit-Policy', this.policy);
    res.header('RateLimit', `"bench";r=${r.remainingPoints};t=${Math.ceil(r.msBeforeNext / 1000)}`);
  }
}

@Controller()
class FlexibleLimitedController {
  @Get('rl')
  @UseGuards(FlexibleGuard)
  rl(): string {
    return 'speed';
  }
}

@Module({})
class FlexibleBenchModule {
  static with(limit: number, redisUrl: string | undefined, headers: boolean): DynamicModule {
    // Prefixed by limit: the blocked scenario's key must not block the allowed one's on a
    // shared Redis. The same limit and window as ours (points per `duration` seconds).
    const options = { keyPrefix: `rlflx-${limit}`, points: limit, duration: 60 };
    return {
      module: FlexibleBenchModule,
      providers: [
        {
          provide: FLEXIBLE_LIMITER,
          useFactory: async (): Promise<RateLimiterAbstract> => {
            if (!redisUrl) return new RateLimiterMemory(options);
            // The package's documented ioredis setup (no offline queue), connected before use.
            const storeClient = new Redis(redisUrl, { enableOfflineQueue: false });
            await new Promise<void>((resolve, reject) => {
              storeClient.once('ready', resolve);
              storeClient.once('error', reject);
            });
            return new RateLimiterRedis({ ...options, storeClient });
          },
        },
        { provide: FLEXIBLE_HEADERS, useValue: headers },
        FlexibleGuard,
      ],
      controllers: [FlexibleLimitedController],
    };
  }
}

/** A Redis store needs a module secret; the benchmark's is public. */
const BENCH_SECRET = 'nest-protection-benchmark-secret-0123456789';

/** The module for a scenario; `redisUrl` switches the store. */
export function benchModule(
  scenario: string,
  redisUrl: string | undefined,
): DynamicModule | typeof BareModule {
  if (scenario === 'bare') return BareModule;
  const signed = signedBenchModule(scenario);
  if (signed) return signed;
  if (scenario === 'redis-floor') {
    if (!redisUrl) throw new Error('redis-floor needs a Redis URL');
    return FloorModule.with(redisUrl);
  }
  const redis = scenario.endsWith('-redis') ? redisUrl : undefined;
  if (scenario.startsWith('rl-ours'))
    return OursLimitedModule.with(scenario.endsWith('-cluster') ? clusterOf(redisUrl) : redis);
  if (scenario === 'page-budget' || scenario === 'page-plain') return PageBudgetModule.with();
  if (scenario.startsWith('rl-throttler'))
    return ThrottlerBenchModule.with(scenario.includes('blocked') ? 1 : LIMIT, redis);
  if (scenario.startsWith('rl-flexible'))
    return FlexibleBenchModule.with(
      scenario.includes('blocked') ? 1 : LIMIT,
      redis,
      scenario.includes('headers'),
    );
  const memory = process.env.BENCH_MAX_ENTRIES
    ? { memory: { maxEntries: Number(process.env.BENCH_MAX_ENTRIES) } }
    : {};
  // BENCH_OPTIONS='{"terminal":false}' measures the module with a protection switched off.
  const extra = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as ProtectionModuleOptions;
  const options = {
    ...(redisUrl && scenario.endsWith('-redis')
      ? { secret: BENCH_SECRET, store: { redis: redisUrl } }
      : memory),
    ...extra,
  };
  return ProtectedModule.with(
    options,
    scenario.startsWith('module') ? BareController : DebounceController,
  );
}
