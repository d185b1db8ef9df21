import type { ProtectionMetrics } from './core/metrics';
import type { ResolvedBaseOptions } from './protection-options.base';
import { PORTS, type ProtectionStore } from './protection.store';

/** Operations timed besides the checked ones: the optional synchronous (in-process) ones. */
const OPTIONAL = { debounce: ['claimSync'], rateLimit: ['applySync'] } as const;

/**
 * The store with every port operation timed (`protection.store.duration`, seconds) and its
 * failures counted (`protection.store.errors`), by `operation` (`rateLimit.apply`) and `store`
 * (`memory`, `redis` or `custom`). Wrapped once, when the module starts, and only when metrics
 * are recorded: otherwise the store is used as is and timing costs nothing.
 */
export function timedStore(
  store: ProtectionStore,
  kind: ResolvedBaseOptions['store']['kind'],
  metrics: ProtectionMetrics,
): ProtectionStore {
  const timed: Record<string, unknown> = {
    shared: store.shared,
    init: () => store.init(),
    close: () => store.close(),
  };
  for (const [name, ops] of Object.entries(PORTS)) {
    const port = store[name as keyof typeof PORTS] as unknown as Record<string, unknown>;
    // The port's other members (`localKeys`) are read through the prototype.
    const wrapped = Object.create(port) as Record<string, unknown>;
    const optional: readonly string[] = OPTIONAL[name as keyof typeof OPTIONAL] ?? [];
    for (const op of [...ops, ...optional]) {
      const fn = port[op];
      if (typeof fn !== 'function') continue;
      // `claimSync`, `applySync`: the same operation, answered without a promise.
      const attributes = { operation: `${name}.${op.replace(/Sync$/, '')}`, store: kind };
      wrapped[op] = (...args: unknown[]): unknown =>
        timeCall(metrics, attributes, () => fn.apply(port, args));
    }
    timed[name] = wrapped;
  }
  return timed as unknown as ProtectionStore;
}

function timeCall(
  metrics: ProtectionMetrics,
  attributes: Record<string, string>,
  call: () => unknown,
): unknown {
  const started = performance.now();
  const done = (failed: boolean): void =>
    metrics.storeCall(attributes, (performance.now() - started) / 1000, failed);
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    done(true);
    throw err;
  }
  if (typeof (result as { then?: unknown } | null | undefined)?.then === 'function') {
    return Promise.resolve(result).then(
      (value: unknown) => {
        done(false);
        return value;
      },
      (err: unknown) => {
        done(true);
        throw err;
      },
    );
  }
  done(false);
  return result;
}
