import { LruMap } from './lru-map';
import type { RecordPort } from './records.port';

/** Records of this process only: bounded LRU tables. */
export class RecordsMemory implements RecordPort {
  private readonly used: LruMap<true>;
  private readonly values: LruMap<string>;

  constructor(maxEntries: number) {
    this.used = new LruMap(maxEntries);
    this.values = new LruMap(maxEntries);
  }

  consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    if (this.used.get(key)) return Promise.resolve(false);
    this.used.set(key, true, ttlMs);
    return Promise.resolve(true);
  }

  put(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, value, ttlMs);
    return Promise.resolve();
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.values.get(key) ?? null);
  }

  clear(): void {
    this.used.clear();
    this.values.clear();
  }
}
