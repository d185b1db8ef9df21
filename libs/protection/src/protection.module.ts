import {
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AppScan, type AppMethod } from './core/app-scan';
import { LIBRARY } from './core/async-context';
import { RequestContextBinder, RequestContextMiddleware } from './core/request-context.binder';
import { syncRouteDocs } from './core/swagger';
import { DebounceMetadata } from './debounce/debounce.metadata';
import { doubleKillOf } from './double-kill/double-kill.metadata';
import { FirstBloodMetadata } from './first-blood/first-blood.metadata';
import { checkCaptchaImages } from './first-blood/captcha.image';
import { rateLimitsOf } from './rate-limit/rate-limit.metadata';
import { RighterMetadata } from './righter/righter.metadata';
import {
  ConfigurableModuleClass,
  RAW_PROTECTION_OPTIONS,
  type ProtectionModuleAsyncOptions,
} from './protection.module-definition';
import {
  resolveProtectionOptions,
  type ResolvedProtectionOptions,
} from './protection-options.factory';
import type { ProtectionModuleOptions } from './protection-options.interface';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from './protection.constants';
import { messages } from './protection.messages';
import { ProtectionStore } from './store/protection-store.interface';
import { createProtectionStore } from './store/store.factory';
import { RighterService } from './righter/righter.service';
import { DoubleKillRunner } from './double-kill/double-kill.runner';
import { ProgressService } from './double-kill/progress.service';
import { OverloadService } from './overload/overload.service';
import { LoggingBinder, LoggingMiddleware } from './logging/logging.binder';
import { TerminalService } from './terminal/terminal.service';

type FeatureKey = 'debounce' | 'terminal' | 'righter' | 'firstBlood' | 'doubleKill' | 'rateLimit' | 'overload';

/**
 * Switched-off features worth a boot line: a decorator feature only when the app uses the
 * decorator, a feature that acts on every request (terminal, overload) always.
 */
const FEATURES: ReadonlyArray<{ key: FeatureKey; off: string; used?: (m: AppMethod) => boolean }> = [
  { key: 'debounce', off: 'Debounce is switched off: @Debounce routes run undebounced', used: (m) => has(DebounceMetadata.KEY, m.fn) },
  { key: 'righter', off: 'Righter is switched off: @Righter commit routes accept any request', used: (m) => has(RighterMetadata.KEY, m.fn) },
  { key: 'firstBlood', off: 'FirstBlood is switched off: @FirstBlood routes run without CAPTCHA', used: (m) => has(FirstBloodMetadata.KEY, m.fn) },
  { key: 'doubleKill', off: 'DoubleKill is switched off: @DoubleKill methods run unlocked', used: (m) => doubleKillOf(m.fn) !== undefined },
  { key: 'rateLimit', off: 'RateLimit is switched off: @RateLimit routes run unlimited', used: (m) => m.controller && (rateLimitsOf(m.fn as object).length > 0 || rateLimitsOf(m.type).length > 0) },
  { key: 'terminal', off: 'Terminal info is switched off: no X-Request-Id echo, TerminalContext.current() is the system context' },
  { key: 'overload', off: 'Overload protection is switched off: no in-flight cap, slow-request log or graceful drain' },
];

function has(key: string, fn: unknown): boolean {
  return typeof fn === 'function' && Reflect.getMetadata(key, fn) !== undefined;
}

/**
 * One import protects the app: `ProtectionModule.forRoot()` (all defaults), `forRoot({ ... })`
 * or `forRootAsync(...)`. It validates the options, opens the store, binds the request context,
 * and makes the decorators work in every module.
 */
@Module({
  providers: [
    {
      provide: PROTECTION_OPTIONS,
      inject: [RAW_PROTECTION_OPTIONS],
      useFactory: (raw: ProtectionModuleOptions | undefined): ResolvedProtectionOptions => {
        const resolved = resolveProtectionOptions(raw);
        // Runs at DI time, before any SwaggerModule.createDocument call.
        // Page parameters exist whatever the module says: their docs always stay.
        syncRouteDocs((feature) => feature === 'page' || resolved[feature as FeatureKey] !== null);
        return resolved;
      },
    },
    {
      provide: ProtectionStore,
      inject: [PROTECTION_OPTIONS],
      useFactory: createProtectionStore,
    },
    AppScan,
    RequestContextBinder,
    RequestContextMiddleware,
    TerminalService,
    RighterService,
    DoubleKillRunner,
    ProgressService,
    OverloadService,
    LoggingBinder,
    LoggingMiddleware,
  ],
  exports: [PROTECTION_OPTIONS, ProtectionStore, TerminalService, RighterService, ProgressService, OverloadService],
})
export class ProtectionModule
  extends ConfigurableModuleClass
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  static readonly [LIBRARY] = true;
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);

  /** Registers the module; without options every protection is on with its defaults. */
  static override forRoot(options: ProtectionModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    return super.forRoot(options);
  }

  /** Registers the module with options from a factory, class or existing provider. */
  static override forRootAsync(options: ProtectionModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly binder: RequestContextBinder,
    private readonly scan: AppScan,
  ) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.binder.isFastify() && this.binder.needsMiddleware()) {
      consumer.apply(RequestContextMiddleware).forRoutes('{*path}');
    }
    if (!this.binder.isFastify() && this.options.logging) consumer.apply(LoggingMiddleware).forRoutes('{*path}');
  }

  async onModuleInit(): Promise<void> {
    for (const f of FEATURES) {
      if (this.options[f.key] !== null) continue;
      const used = f.used;
      if (!used || this.scan.methods().some(used)) this.logger.log(`${f.off}.`);
    }
    if (this.options.firstBlood) checkCaptchaImages(this.options.firstBlood, this.scan);
    await this.store.init();
    const s = this.options.store;
    this.logger.log(messages.storeReady(s.kind, s.kind === 'redis' ? `prefix ${s.settings.prefix}` : ''));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
