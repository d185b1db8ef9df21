import { randomBytes } from 'node:crypto';
import type { ProtectionStore } from './protection-store.interface';

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
    private readonly store: ProtectionStore,
    private readonly name: string,
    configured: readonly string[] | null,
  ) {
    this.secrets = configured;
    // The memory store keeps one secret per name for the process, so every guard and service
    // of the app agrees; Redis shares it between instances.
    this.perProcess = !configured && store.kind === 'memory';
  }

  /** True when the secret lives only in this process (no configured secret, memory store). */
  readonly perProcess: boolean;

  /** The secrets once known, else null. The first one signs; all verify. */
  get current(): readonly string[] | null {
    return this.secrets;
  }

  load(): Promise<readonly string[]> {
    if (this.secrets) return Promise.resolve(this.secrets);
    this.loading ??= this.store
      .sharedSecret(this.name, randomBytes(32).toString('base64url'))
      .then((secret) => (this.secrets = [secret]))
      .finally(() => (this.loading = null));
    return this.loading;
  }
}
