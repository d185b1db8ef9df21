import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_LOGGER_CONTEXT, PROTECTION_OPTIONS } from '../protection.constants';
import { AppScan } from './app-scan';
import { asyncContextDemand } from './async-context';
import { RequestContext } from './request-context';
import { ServerHooks } from './server-hooks';

/**
 * Enters every request into AsyncLocalStorage, only when the app needs it (see
 * core/async-context.ts). It happens after the body is parsed (a Fastify preHandler, an Express
 * middleware after Nest's body parsers), so the context is not lost across the body stream's
 * callbacks; guards, interceptors, handler and services all run inside it.
 */
@Injectable()
export class RequestContextBinder {
  private readonly logger = new Logger(PROTECTION_LOGGER_CONTEXT);
  private decided: boolean | undefined;

  constructor(
    hooks: ServerHooks,
    private readonly scan: AppScan,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
  ) {
    hooks.preHandler(
      (req, res, next) => RequestContext.run(RequestContext.of(req, res, options), next),
      {
        wraps: true,
        when: () => this.usesAsyncContext(),
      },
    );
  }

  /** Whether requests are entered into AsyncLocalStorage (decided once, at boot). */
  usesAsyncContext(): boolean {
    if (this.decided === undefined) {
      const setting = this.options.asyncContext;
      const reasons = setting === 'auto' ? this.contextReaders() : [];
      this.decided = setting === true || reasons.length > 0;
      // Said only when it is on: an app that reads nothing hears nothing.
      if (setting === 'auto' && this.decided) {
        this.logger.log(
          `Request context in AsyncLocalStorage: on (used by ${reasons.slice(0, 5).join(', ')})`,
        );
      }
    }
    return this.decided;
  }

  /**
   * What in the app reads the context from AsyncLocalStorage: classes injecting a service that
   * does, and methods marked by `demandAsyncContext` (e.g. `@Righter(false)`).
   */
  private contextReaders(): string[] {
    const found: string[] = [];
    for (const c of this.scan.classes()) {
      if (c.contextReaders.length)
        found.push(`${c.type.name} (injects ${c.contextReaders.join(', ')})`);
    }
    for (const m of this.scan.methods()) {
      const reason = asyncContextDemand(m.fn);
      if (reason) found.push(`${reason} on ${m.label}`);
    }
    return found;
  }
}
