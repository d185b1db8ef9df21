import {
  Inject,
  Logger,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RequestContextBinder, RequestContextMiddleware } from './core/request-context.binder';
import { syncRouteDocs } from './core/swagger';
import { ConfigurableModuleClass, RAW_PROTECTION_OPTIONS } from './protection.module-definition';
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

const FEATURES = [
  { key: 'debounce', name: 'Debounce', decorator: '@Debounce' },
  { key: 'terminal', name: 'Terminal info', decorator: '@Terminal' },
  { key: 'righter', name: 'Righter', decorator: '@Righter' },
  { key: 'firstBlood', name: 'FirstBlood', decorator: '@FirstBlood' },
  { key: 'doubleKill', name: 'DoubleKill', decorator: '@DoubleKill' },
  { key: 'rateLimit', name: 'RateLimit', decorator: '@RateLimit' },
  { key: 'overload', name: 'Overload protection', decorator: 'the in-flight cap and graceful shutdown' },
  { key: 'page', name: 'Page defaults', decorator: '@PageDefault (built-in defaults apply)' },
] as const;

/**
 * One import protects the app: `ProtectionModule.forRoot({ ... })` or `forRootAsync(...)`.
 * It validates the options, opens the store, binds the request context, and makes the
 * decorators work in every module.
 */
@Module({
  providers: [
    {
      provide: PROTECTION_OPTIONS,
      inject: [RAW_PROTECTION_OPTIONS],
      useFactory: (raw: ProtectionModuleOptions): ResolvedProtectionOptions => {
        const resolved = resolveProtectionOptions(raw);
        // Runs at DI time, before any SwaggerModule.createDocument call.
        // Page parameters exist whatever the module says: their docs always stay.
        syncRouteDocs((feature) => feature === 'page' || resolved[feature as (typeof FEATURES)[number]['key']] !== null);
        return resolved;
      },
    },
    {
      provide: ProtectionStore,
      inject: [PROTECTION_OPTIONS],
      useFactory: createProtectionStore,
    },
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
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly binder: RequestContextBinder,
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
      if (this.options[f.key] === null) this.logger.log(messages.featureOff(f.name, f.decorator));
    }
    await this.store.init();
    const s = this.options.store;
    this.logger.log(messages.storeReady(s.kind, s.kind === 'redis' ? `prefix ${s.settings.prefix}` : ''));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
