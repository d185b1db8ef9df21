import { Logger } from '@nestjs/common';
import { PROTECTION_LOGGER_CONTEXT } from '../protection.constants';
import type {
  ClientIdentityKind,
  ProtectionDecision,
  ProtectionDecisionListener,
  ProtectionDecisionOutcome,
  ProtectionName,
} from './decisions';
import type { ProtectionRequest } from './http.types';
import {
  authenticatedIdentity,
  clientAddressKey,
  sessionOf,
  type IdentitySettings,
} from './identity';
import { ProtectionMetrics, sdkMeter } from './metrics';
import { routeKey } from './route-key';
import { ThrottledLog } from './throttled-log';

/**
 * Where the decisions of one module go: the OpenTelemetry instruments (when an SDK is
 * registered) and the `onDecision` option. `on` is the one check a decision point makes: with
 * neither, a decision costs that boolean and nothing is built.
 */
export class DecisionObserver {
  /** Metrics are recorded or `onDecision` is set. */
  on: boolean;
  /** The instruments, once started with an SDK registered; null otherwise. */
  metrics: ProtectionMetrics | null = null;
  private readonly failures = new ThrottledLog(new Logger(PROTECTION_LOGGER_CONTEXT), 10_000);

  constructor(
    private readonly listener: ProtectionDecisionListener | undefined,
    private readonly identity: IdentitySettings,
    /** Module option `metrics`: record to OpenTelemetry when an SDK is registered. */
    readonly metricsWanted: boolean,
  ) {
    this.on = listener !== undefined;
  }

  /**
   * Makes the instruments when `@opentelemetry/api` is installed and the app registered an SDK
   * (its global MeterProvider is not the no-op one). Called once, when the module starts.
   */
  start(): void {
    if (!this.metricsWanted || this.metrics) return;
    const meter = sdkMeter();
    if (meter) this.metrics = new ProtectionMetrics(meter);
    this.on = this.metrics !== null || this.listener !== undefined;
  }

  /** Removes the module's observable callbacks (application shutdown). */
  stop(): void {
    this.metrics?.stop();
  }

  /**
   * Records one decision. Callers check `on` first. `route`: the route when it is not the
   * request's matched route (overload, a `@DoubleKill` method outside a request).
   */
  record(
    protection: ProtectionName,
    req: ProtectionRequest | undefined,
    outcome: ProtectionDecisionOutcome,
    reason?: string,
    status?: number,
    route?: string,
  ): void {
    const where = route ?? (req ? routeKey(req) : 'system');
    this.metrics?.decision(protection, where, outcome);
    const listener = this.listener;
    if (!listener) return;
    try {
      // Inside the try: the app's `identity` function runs here too (for overload decisions, on
      // the Node request, before routing), and neither it nor the listener may fail the request.
      const decision: ProtectionDecision = {
        protection,
        route: where,
        outcome,
        client: req ? clientAddressKey(req, this.identity) : 'system',
        identity: req ? this.identityKind(req) : 'system',
        ...(reason !== undefined ? { reason } : {}),
        ...(status !== undefined ? { status } : {}),
      };
      listener(decision);
    } catch (err) {
      // A listener's bug must never fail the request it reports on.
      this.failures.warn(
        'onDecision',
        () =>
          `onDecision threw (${err instanceof Error ? err.message : String(err)}); the request went on (logged at most every 10 s)`,
      );
    }
  }

  private identityKind(req: ProtectionRequest): ClientIdentityKind {
    if (authenticatedIdentity(req, this.identity) !== undefined) return 'user';
    return sessionOf(req, this.identity) !== undefined ? 'session' : 'address';
  }
}
