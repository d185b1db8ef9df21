import type { RedisConnection } from './redis-connection';
import type { RecordPort } from './records.port';

/** Records in Redis: plain keys with a TTL, each hash-tagged by its own key. */
export class RecordsRedis implements RecordPort {
  constructor(private readonly conn: RedisConnection) {}

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    const reply = await this.conn.call(() =>
      this.conn.client.set(
        this.conn.k(`once:{${key}}`),
        '1',
        'PX',
        Math.max(1, Math.ceil(ttlMs)),
        'NX',
      ),
    );
    return reply === 'OK';
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    const k = this.conn.k(`record:{${key}}`);
    await this.conn.call(() => this.conn.client.set(k, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async get(key: string): Promise<string | null> {
    return this.conn.call(() => this.conn.client.get(this.conn.k(`record:{${key}}`)));
  }
}
