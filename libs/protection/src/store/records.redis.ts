import { randomUUID } from 'node:crypto';
import type { RedisConnection } from './redis-connection';
import type { RecordPort } from './records.port';
import { StoreUnavailableError } from './store.errors';

interface RecordCommands {
  npOnceUndo(mark: string, owner: string): Promise<number>;
}

/** Deletes a single-use mark only if this caller set it. KEYS[1] = mark, ARGV[1] = owner. */
const ONCE_UNDO = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Records in Redis: plain keys with a TTL, each hash-tagged by its own key. */
export class RecordsRedis implements RecordPort {
  private readonly commands: RecordCommands;

  constructor(private readonly conn: RedisConnection) {
    this.commands = conn.defineCommands<RecordCommands>({
      npOnceUndo: { lua: ONCE_UNDO, keys: 1 },
    });
  }

  /**
   * A mark holds a random owner, so a request whose SET timed out but may have run (and that is
   * then answered 503) can take back exactly its own mark: `err.undo()`.
   */
  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    const mark = this.conn.k(`once:{${key}}`);
    const owner = randomUUID();
    const ttl = Math.max(1, Math.ceil(ttlMs));
    try {
      return (
        (await this.conn.call(() => this.conn.client.set(mark, owner, 'PX', ttl, 'NX'))) === 'OK'
      );
    } catch (err) {
      if (err instanceof StoreUnavailableError && err.sent) {
        err.undo = () =>
          this.conn.compensations.add(
            `once:${key}`,
            () => this.conn.call(() => this.commands.npOnceUndo(mark, owner)),
            ttl,
          );
      }
      throw err;
    }
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    const k = this.conn.k(`record:{${key}}`);
    await this.conn.call(() => this.conn.client.set(k, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async get(key: string): Promise<string | null> {
    return this.conn.call(() => this.conn.client.get(this.conn.k(`record:{${key}}`)));
  }
}
