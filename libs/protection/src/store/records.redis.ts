import type { RedisConnection } from './redis-connection';
import { SHARED_SECRET } from './records.lua';
import type { RecordPort } from './records.port';

interface RecordCommands {
  npSharedSecret(key: string, candidate: string): Promise<string>;
}

/** Records in Redis: plain keys with a TTL, each hash-tagged by its own key. */
export class RecordsRedis implements RecordPort {
  private readonly commands: RecordCommands;

  constructor(private readonly conn: RedisConnection) {
    this.commands = conn.defineCommands<RecordCommands>({
      npSharedSecret: { keys: 1, lua: SHARED_SECRET },
    });
  }

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

  async sharedSecret(name: string, candidate: string): Promise<string> {
    return this.conn.call(() =>
      this.commands.npSharedSecret(this.conn.k(`secret:{${name}}`), candidate),
    );
  }
}
