import type { ProtectionDecisionOutcome, ProtectionName } from './decisions';
import { loadIfInstalled } from './optional-package';

/*
 * The library's OpenTelemetry instruments. `@opentelemetry/api` is an optional peer: it is
 * required here only when the module starts, and its types are written out structurally below,
 * so the package's declarations never need it installed. Metrics have no proxy provider: an
 * instrument made from the no-op provider stays a no-op, so the instruments are made when the
 * module starts, after the app registered its SDK, or never.
 */

type Attributes = Record<string, string>;

/** The parts of `@opentelemetry/api` the library calls. */
interface OtelCounter {
  add(value: number, attributes?: Attributes): void;
}
interface OtelHistogram {
  record(value: number, attributes?: Attributes): void;
}
interface OtelObservableResult {
  observe(value: number, attributes?: Attributes): void;
}
interface OtelObservable {
  addCallback(callback: (result: OtelObservableResult) => void): void;
  removeCallback(callback: (result: OtelObservableResult) => void): void;
}
interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}
interface OtelMeter {
  createCounter(name: string, options?: OtelInstrumentOptions): OtelCounter;
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
  createObservableCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createObservableUpDownCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
}
interface OtelApi {
  metrics: { getMeter(name: string): OtelMeter };
  createNoopMeter(): OtelMeter;
}

/** The meter name (instrumentation scope) of every instrument. */
export const METER_NAME = 'nest-protection';

/** Store call durations are seconds (OpenTelemetry's unit for durations); memory calls take microseconds. */
const DURATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** The meter of the registered SDK; null without `@opentelemetry/api` or without an SDK. */
export function sdkMeter(): OtelMeter | null {
  const api = loadIfInstalled<OtelApi>(
    '@opentelemetry/api',
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    () => require('@opentelemetry/api') as OtelApi,
  );
  if (!api) return null;
  const meter = api.metrics.getMeter(METER_NAME);
  // No SDK registered: the global provider is the no-op one, whose meter is this singleton.
  return meter === api.createNoopMeter() ? null : meter;
}

const OUTCOMES: readonly ProtectionDecisionOutcome[] = [
  'allowed',
  'rejected',
  'reused',
  'degraded',
  'shadow',
];
const OUTCOME_INDEX: Readonly<Record<ProtectionDecisionOutcome, number>> = {
  allowed: 0,
  rejected: 1,
  reused: 2,
  degraded: 3,
  shadow: 4,
};
/** Routes are patterns (bounded by the app's routes); this caps the table all the same. */
const MAX_ROUTES = 1000;
const OTHER_ROUTE = 'other';

/**
 * Decisions counted in the process and handed to the SDK when it collects: a decision costs
 * two map lookups and an increment, where an SDK `add()` per decision (its attributes hashed
 * each time) cost about an eighth of a bare request.
 */
class DecisionCounts {
  private readonly byRoute = new Map<string, Map<ProtectionName, number[]>>();

  add(protection: ProtectionName, route: string, outcome: ProtectionDecisionOutcome): void {
    let byProtection = this.byRoute.get(route);
    if (!byProtection) {
      const key = this.byRoute.size < MAX_ROUTES ? route : OTHER_ROUTE;
      byProtection = this.byRoute.get(key);
      if (!byProtection)
        this.byRoute.set(key, (byProtection = new Map<ProtectionName, number[]>()));
    }
    let counts = byProtection.get(protection);
    if (!counts) byProtection.set(protection, (counts = [0, 0, 0, 0, 0]));
    const i = OUTCOME_INDEX[outcome];
    counts[i] = (counts[i] ?? 0) + 1;
  }

  report(result: OtelObservableResult): void {
    for (const [route, byProtection] of this.byRoute) {
      for (const [protection, counts] of byProtection) {
        for (let i = 0; i < OUTCOMES.length; i++) {
          const n = counts[i] as number;
          if (n > 0) result.observe(n, { protection, route, outcome: OUTCOMES[i] as string });
        }
      }
    }
  }
}

/** The instruments, made once per module from the SDK's meter. */
export class ProtectionMetrics {
  private readonly decisions: OtelObservable;
  private readonly counts = new DecisionCounts();
  private readonly duration: OtelHistogram;
  private readonly errors: OtelCounter;
  private readonly inflight: OtelObservable;
  private readonly callbacks: Array<[OtelObservable, (result: OtelObservableResult) => void]> = [];

  constructor(meter: OtelMeter) {
    // Asynchronous (observed at each collection), monotonic: exported as a counter all the same.
    this.decisions = meter.createObservableCounter('protection.decisions', {
      description: 'Decisions of the protections, by protection, route pattern and outcome',
      unit: '{decision}',
    });
    this.watch(this.decisions, (result) => this.counts.report(result));
    this.duration = meter.createHistogram('protection.store.duration', {
      description: 'Duration of the protection store operations',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.errors = meter.createCounter('protection.store.errors', {
      description: 'Protection store operations that failed (down, timed out, full)',
      unit: '{error}',
    });
    this.inflight = meter.createObservableUpDownCounter('protection.inflight', {
      description: 'Requests in flight, as the overload gate counts them',
      unit: '{request}',
    });
  }

  decision(protection: ProtectionName, route: string, outcome: ProtectionDecisionOutcome): void {
    this.counts.add(protection, route, outcome);
  }

  /** One store operation took `seconds`; `failed`: it threw or rejected. */
  storeCall(attributes: Attributes, seconds: number, failed: boolean): void {
    this.duration.record(seconds, attributes);
    if (failed) this.errors.add(1, attributes);
  }

  /** Reports `read()` as the in-flight count at every collection, until `stop()`. */
  observeInflight(read: () => number): void {
    this.watch(this.inflight, (result) => result.observe(read()));
  }

  stop(): void {
    for (const [instrument, callback] of this.callbacks.splice(0))
      instrument.removeCallback(callback);
  }

  private watch(
    instrument: OtelObservable,
    callback: (result: OtelObservableResult) => void,
  ): void {
    instrument.addCallback(callback);
    this.callbacks.push([instrument, callback]);
  }
}
