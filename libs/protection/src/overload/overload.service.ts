import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LIBRARY } from '../core/async-context';
import { compileProxyTrust } from '../core/client-ip';
import { DecisionPoint } from '../core/decision-point';
import { BackgroundWork } from '../core/background-work';
import { ServerHooks } from '../core/server-hooks';
import { applyRequestTimeout } from './request-timeout';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { PROTECTION_OPTIONS } from '../protection.constants';
import { ProtectionStore } from '../protection.store';
import { InFlightCounter } from './in-flight.counter';
import { PerIpLimiter } from './per-ip.limiter';
import { RateLimitMemory } from '../store/rate-limit/rate-limit.memory';
import { RequestGate } from './request-gate';
import { SlowRequestLog } from './slow-log';

/** `OverloadService.stats()`. */
export interface OverloadStats {
  inFlight: number;
  /** `@DoubleKill` async jobs running after their requests were answered. */
  background: number;
  served: number;
  rejected: number;
  /** Percentiles (ms) over the latest responses. */
  p50: number;
  p90: number;
  p99: number;
}

/**
 * Overload protection: the global in-flight cap, per-IP limits, the slow-request log and
 * graceful shutdown. The work is done by the request gate (in front of the framework) and the
 * in-flight counter; this service wires them, reports `stats()` and drains on shutdown.
 */
@Injectable()
export class OverloadService implements BeforeApplicationShutdown, OnApplicationShutdown {
  static readonly [LIBRARY] = true;
  private readonly logger = new Logger('ProtectionOverload');
  private readonly counter: InFlightCounter;
  private readonly gate: RequestGate | null = null;

  constructor(
    hooks: ServerHooks,
    @Inject(PROTECTION_OPTIONS) private readonly options: ResolvedProtectionOptions,
    @Inject(ProtectionStore) store: ProtectionStore,
    private readonly background: BackgroundWork,
  ) {
    const settings = options.overload;
    this.counter = new InFlightCounter(new SlowRequestLog(settings?.slowMs ?? Infinity));
    if (!settings) return;
    const memoryMax = options.memory.maxEntries;
    const perIp = settings.perIp
      ? new PerIpLimiter(
          settings.perIp,
          options.identity.trust,
          compileProxyTrust(settings.permit),
          // In memory, a table of its own: a flood of new addresses here cannot fill @RateLimit's.
          store.shared ? store : { rateLimit: new RateLimitMemory(memoryMax, 'per-IP windows') },
          options.identity.ipv6Subnet,
          new RateLimitMemory(memoryMax, 'per-IP windows (local)'),
        )
      : null;
    const gate = new RequestGate(
      settings.maxConcurrent < 0 ? Infinity : settings.maxConcurrent,
      this.counter,
      perIp,
      new DecisionPoint('overload', options.decisions),
      settings.mode === 'shadow',
    );
    options.decisions.metrics?.observeInflight(() => this.counter.inFlight);
    this.gate = gate;
    hooks.gate((door) => {
      applyRequestTimeout(door.server, settings.requestTimeout);
      this.counter.attach(door.server);
      return gate.listener(door);
    });
  }

  stats(): OverloadStats {
    const [p50 = 0, p90 = 0, p99 = 0] = this.counter.latencies.percentiles(50, 90, 99);
    return {
      inFlight: this.counter.inFlight,
      background: this.background.running,
      served: this.counter.served,
      rejected: this.gate?.rejected ?? 0,
      p50,
      p90,
      p99,
    };
  }

  /** From now on new requests get 503 SHUTTING_DOWN; resolves when none is left or at drainTimeout. */
  async beforeApplicationShutdown(): Promise<void> {
    const settings = this.options.overload;
    if (!settings || !this.gate || this.gate.isClosed) return;
    this.gate.close();
    this.counter.drain();
    if (this.counter.inFlight === 0) return;
    this.logger.log(
      `Shutting down: waiting for ${this.counter.inFlight} request(s), at most ${settings.drainTimeout} ms`,
    );
    await this.counter.drained(settings.drainTimeout);
  }

  onApplicationShutdown(): void {
    this.counter.detach();
  }
}
