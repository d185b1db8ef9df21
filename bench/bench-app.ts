import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { Debounce, ProtectionModule, type ProtectionModuleOptions } from 'nest-protection';

/* The apps the benchmark measures: one route each, so only the protection under test differs. */

@Controller()
class BareController {
  @Get('speed')
  speed(): string {
    return 'speed';
  }
}

@Controller()
class DebounceController {
  @Get('speed')
  speed(): string {
    return 'speed';
  }

  // Same shape as /speed (no parameters), so only the decorator differs; the unique query
  // string the benchmark sends is part of the debounce key.
  @Get('debounce')
  @Debounce({ waiting: 500 })
  debounce(): string {
    return 'speed';
  }

  @Get('debounce-reuse')
  @Debounce({ waiting: 500, reuse: true })
  debounceReuse(): string {
    return 'speed';
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

@Module({})
class ProtectedModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return { module: ProtectedModule, imports: [ProtectionModule.forRoot(options)], controllers: [DebounceController] };
  }
}

/** The module for a scenario; `redisUrl` switches the store. */
export function benchModule(scenario: string, redisUrl: string | undefined): DynamicModule | typeof BareModule {
  if (scenario === 'bare') return BareModule;
  const memory = process.env.BENCH_MAX_ENTRIES ? { memory: { maxEntries: Number(process.env.BENCH_MAX_ENTRIES) } } : {};
  return ProtectedModule.with(redisUrl && scenario.endsWith('-redis') ? { store: { redis: redisUrl } } : memory);
}
