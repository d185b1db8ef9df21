import { Controller, Get, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  Debounce,
  ProtectionModule,
  RateLimit,
  type ProtectionModuleOptions,
} from 'nest-protection';

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
          throttlers: [{ ttl: 60_000, limit }],
          ...(redisUrl ? { storage: new ThrottlerStorageRedisService(redisUrl) } : {}),
        }),
      ],
      controllers: [ThrottlerLimitedController],
    };
  }
}

@Module({})
class OursLimitedModule {
  static with(redisUrl: string | undefined): DynamicModule {
    return {
      module: OursLimitedModule,
      imports: [
        ProtectionModule.forRoot(
          redisUrl ? { secret: BENCH_SECRET, store: { redis: redisUrl } } : {},
        ),
      ],
      controllers: [OursLimitedController],
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
  const redis = scenario.endsWith('-redis') ? redisUrl : undefined;
  if (scenario.startsWith('rl-ours')) return OursLimitedModule.with(redis);
  if (scenario.startsWith('rl-throttler'))
    return ThrottlerBenchModule.with(scenario.includes('blocked') ? 1 : LIMIT, redis);
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
