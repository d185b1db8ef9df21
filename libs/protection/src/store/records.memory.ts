import { ExpiringTable, settle } from './expiring-table';
import { LruMap } from './lru-map';
import type { RecordPort } from './records.port';

/**
 * Records of this process. Single-use marks live in one table per purpose (the key's prefix:
 * `righter`, `captcha-free`), each bounded and never evicted before it expires, so marks of one
 * purpose cannot crowd out another's. JSON records (progress) are only a convenience: an LRU.
 */
export class RecordsMemory implements RecordPort {
  private readonly used = new Map<string, ExpiringTable<true>>();
  private readonly values: LruMap<string>;

  constructor(private readonly maxEntries: number) {
    this.values = new LruMap(maxEntries);
  }

  consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    return settle(() => {
      const table = this.marks(key);
      if (table.get(key)) return false;
      table.set(key, true, ttlMs);
      return true;
    });
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

  private marks(key: string): ExpiringTable<true> {
    const colon = key.indexOf(':');
    const purpose = colon > 0 ? key.slice(0, colon) : '';
    let table = this.used.get(purpose);
    if (!table) {
      table = new ExpiringTable(`${purpose || 'records'} single-use marks`, this.maxEntries);
      this.used.set(purpose, table);
    }
    return table;
  }
}
