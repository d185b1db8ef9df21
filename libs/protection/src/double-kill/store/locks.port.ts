/** The answer to "may I run?" for a business lock. */
export type LockAcquisition =
  { acquired: true; fencingToken: number } | { acquired: false; elapsedMs: number; tag?: string };

/**
 * Business locks with leases and fencing tokens (`@DoubleKill`). Every operation is one atomic
 * step; implementations throw `StoreUnavailableError` when the backend cannot answer in time.
 */
export interface LockPort {
  /**
   * Takes `key` for `owner` for `leaseMs` unless someone holds it; a new holder also gets the
   * next fencing token of the key and keeps `tag` with the lock. A refusal says how long the
   * holder has run and returns the holder's `tag` (the running call's progress key), so a
   * refused caller learns it in the same step.
   */
  acquire(key: string, owner: string, leaseMs: number, tag?: string): Promise<LockAcquisition>;

  /** Extends the lease, only if `owner` still holds `key` (compare-and-pexpire). */
  renew(key: string, owner: string, leaseMs: number): Promise<boolean>;

  /** Releases `key`, only if `owner` holds it (compare-and-delete). */
  release(key: string, owner: string): Promise<boolean>;
}
