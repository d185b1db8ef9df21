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
import { DiscoveryModule } from '@nestjs/core';
import { AppScan } from './core/app-scan';
import { LIBRARY } from './core/async-context';
import { RequestContextBinder } from './core/request-context.binder';
import { ServerHooks } from './core/server-hooks';
import { syncRouteDocs } from './core/swagger';
import { checkCaptchaImages } from './first-blood/captcha.image';
import {
  ConfigurableModuleClass,
  RAW_PROTECTION_OPTIONS,
  type ProtectionModuleAsyncOptions,
} from './protection.module-definition';
import {
  resolveProtectionOptions,
  type ResolvedProtectionOptions,
} from './protection-options.factory';
import { FEATURES, type FeatureKey, type ProtectionModuleOptions } from './protection.features';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from './protection.constants';
import { messages } from './protection.messages';
import { createProtectionStore, ProtectionStore } from './protection.store';
import { timedStore } from './protection.store-metrics';
import { METER_NAME } from './core/metrics';
import { RighterService } from './righter/righter.service';
import { DoubleKillRunner } from './double-kill/double-kill.runner';
import { ProgressService } from './double-kill/progress.service';
import { OverloadService } from './overload/overload.service';
import { RateLimitService } from './rate-limit/rate-limit.service';
import { LoggingBinder } from './logging/logging.binder';
import { RequestIdEcho } from './terminal/request-id.echo';
import { TerminalService } from './terminal/terminal.service';
import { ProtectionSession } from './protection.session';
import { BackgroundWork } from './core/background-work';
import { SignedPages } from './signed/signed.pages';

/**
 * One import protects the app: `ProtectionModule.forRoot()` (all defaults), `forRoot({ ... })`
 * or `forRootAsync(...)`. It validates the options, opens the store, binds the request context,
 * and makes the decorators work in every module.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: PROTECTION_OPTIONS,
      inject: [RAW_PROTECTION_OPTIONS],
      useFactory: (raw: ProtectionModuleOptions | undefined): ResolvedProtectionOptions => {
        const resolved = resolveProtectionOptions(raw);
        // The module starts: the instruments are made now, from the SDK the app registered
        // before NestFactory.create (metrics have no proxy provider to wait for a later one).
        resolved.decisions.start();
        // Runs at DI time, before any SwaggerModule.createDocument call.
        // Page parameters exist whatever the module says: their docs always stay.
        syncRouteDocs((feature) => feature === 'page' || resolved[feature as FeatureKey] !== null);
        return resolved;
      },
    },
    {
      provide: ProtectionStore,
      inject: [PROTECTION_OPTIONS],
      useFactory: (options: ResolvedProtectionOptions): ProtectionStore => {
        const store = createProtectionStore(options);
        // Timed only when metrics are recorded: otherwise every port is used as is.
        const metrics = options.decisions.metrics;
        return metrics ? timedStore(store, options.store.kind, metrics) : store;
      },
    },
    AppScan,
    ServerHooks,
    RequestContextBinder,
    RequestIdEcho,
    ProtectionSession,
    BackgroundWork,
    TerminalService,
    RighterService,
    DoubleKillRunner,
    ProgressService,
    OverloadService,
    RateLimitService,
    LoggingBinder,
    SignedPages,
  ],
  exports: [
    PROTECTION_OPTIONS,
    ProtectionStore,
    ProtectionSession,
    TerminalService,
    RighterService,
    ProgressService,
    OverloadService,
    RateLimitService,
    SignedPages,
  ],
})
export class ProtectionModule
  extends ConfigurableModuleClass
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  static readonly [LIBRARY] = true;
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);

  /** Registers the module; without options every protection is on with its defaults. */
  static override forRoot(
    options: ProtectionModuleOptions & { isGlobal?: boolean } = {},
  ): DynamicModule {
    return super.forRoot(options);
  }

  /** Registers the module with options from a factory, class or existing provider. */
  static override forRootAsync(options: ProtectionModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }

  constructor(
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) private readonly store: ProtectionStore,
    private readonly hooks: ServerHooks,
    private readonly scan: AppScan,
  ) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    this.hooks.configure(consumer);
  }

  async onModuleInit(): Promise<void> {
    for (const f of FEATURES) {
      const off = messages.featureOff[f.key];
      if (this.options[f.key] !== null || !off) continue;
      if (!f.used || this.scan.methods().some((m) => f.used!(m))) this.logger.log(`${off}.`);
    }
    if (this.options.firstBlood) checkCaptchaImages(this.options.firstBlood, this.scan);
    await this.store.init();
    const s = this.options.store;
    this.logger.log(
      messages.storeReady(s.kind, s.kind === 'redis' ? `prefix ${s.settings.prefix}` : ''),
    );
    if (this.options.decisions.metrics) this.logger.log(messages.metricsOn(METER_NAME));
  }

  async onApplicationShutdown(): Promise<void> {
    this.options.decisions.stop();
    await this.store.close();
  }
}
