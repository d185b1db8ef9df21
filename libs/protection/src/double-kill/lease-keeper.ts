import type { LockPort } from './store/locks.port';

export interface LeaseWatch {
  key: string;
  owner: string;
  leaseMs: number;
  /** Fired when the lock is lost, or cannot be confirmed within a lease. */
  abort: AbortController;
  log: { warn(message: string): void; error(message: string): void };
  /** How log lines name the lock: `DoubleKill: lock of UsersService.import`. */
  name: string;
}

/**
 * Renews a held lock every third of its lease until the returned stop function is called. The
 * holder is told through its AbortSignal when a renewal finds the lock gone (expired, or lost in
 * a failover), and when renewals have failed for a whole lease since the store last confirmed
 * it: then the lock may be gone too, and nothing should assume it is still exclusive.
 */
export function keepLease(locks: LockPort, w: LeaseWatch): () => void {
  let confirmedAt = Date.now();
  const lost = (why: string): void => {
    if (w.abort.signal.aborted) return;
    w.log.error(`${w.name} ${why}; the call's AbortSignal fires`);
    w.abort.abort(new Error('DoubleKill lock lost'));
  };
  const timer = setInterval(
    () => {
      const asked = Date.now();
      locks.renew(w.key, w.owner, w.leaseMs).then(
        (ok) => {
          if (ok) confirmedAt = asked;
          else lost('was lost');
        },
        (err: Error) => {
          w.log.warn(`${w.name}: lease renewal failed: ${err.message}`);
          if (Date.now() - confirmedAt >= w.leaseMs) lost('could not be renewed within its lease');
        },
      );
    },
    Math.max(50, Math.floor(w.leaseMs / 3)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
