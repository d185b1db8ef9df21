import { LruMap } from './lru-map';
import type { RecordPort } from './records.port';

/** Records of this process only: bounded LRU tables, except the few secrets (one per feature). */
export class RecordsMemory implements RecordPort {
  private readonly used: LruMap<true>;
  private readonly values: LruMap<string>;
  private readonly secrets = new Map<string, string>();

  constructor(maxEntries: number) {
    this.used = new LruMap(maxEntries);
    this.values = new LruMap(maxEntries);
  }

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.used.get(key)) return false;
    this.used.set(key, true, ttlMs);
    return true;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, value, ttlMs);
  }

  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    let secret = this.secrets.get(name);
    if (secret === undefined) this.secrets.set(name, (secret = candidate));
    return secret;
  }

  clear(): void {
    this.used.clear();
    this.values.clear();
  }
}
