import { randomBytes } from 'node:crypto';
import type { RecordPort } from './records.port';

/** The part of a store a shared secret needs. */
export interface SecretSource {
  readonly records: RecordPort;
  /** True when state is shared by every instance using the same backend. */
  readonly shared: boolean;
}

/**
 * The secret(s) a protection signs or seals with: the configured list, else one secret shared
 * through the store: by every instance (Redis), or by the whole process (memory).
 * Loaded once; while the store is down, each `load()` tries again and throws
 * `StoreUnavailableError`.
 */
export class SharedSecret {
  private secrets: readonly string[] | null;
  private loading: Promise<readonly string[]> | null = null;

  constructor(
    private readonly store: SecretSource,
    private readonly name: string,
    configured: readonly string[] | null,
  ) {
    this.secrets = configured;
    // An unshared store keeps one secret per name for the process, so every guard and service
    // of the app agrees; a shared one (Redis) gives every instance the same.
    this.perProcess = !configured && !store.shared;
  }

  /** True when the secret lives only in this process (no configured secret, unshared store). */
  readonly perProcess: boolean;

  /** The secrets once known, else null. The first one signs; all verify. */
  get current(): readonly string[] | null {
    return this.secrets;
  }

  load(): Promise<readonly string[]> {
    if (this.secrets) return Promise.resolve(this.secrets);
    this.loading ??= this.store.records
      .sharedSecret(this.name, randomBytes(32).toString('base64url'))
      .then((secret) => (this.secrets = [secret]))
      .finally(() => (this.loading = null));
    return this.loading;
  }
}
