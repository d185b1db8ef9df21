import type { RedisConnection } from '../../store/redis-connection';
import { decodeResponse, encodeResponse } from '../../store/response.codec';
import { DEBOUNCE_CLAIM, DEBOUNCE_SETTLE } from './debounce.lua';
import {
  LEADER_CLAIM,
  type DebounceClaim,
  type DebounceOutcome,
  type DebouncePort,
} from './debounce.port';

type BufferReply = Array<Buffer | number>;

interface DebounceCommands {
  npDebounceClaimBuffer(
    key: string,
    token: string,
    windowMs: number,
    follow: number,
  ): Promise<BufferReply>;
  npDebounceSettle(
    key: string,
    token: string,
    state: string,
    response: Buffer | string,
    channel: string,
    sharded: number,
  ): Promise<number>;
}

type Waiter = (outcome: DebounceOutcome | null) => void;

const STATE_DONE = 0x64; // 'd'
const STATE_FAILED = 0x66; // 'f'

/**
 * Debounce in Redis: one script per decision; followers are woken over pub/sub (sharded, per
 * key, on a Cluster of Redis >= 7).
 */
export class DebounceRedis implements DebouncePort {
  readonly localKeys = false;
  private readonly commands: DebounceCommands;
  private readonly channel: string;
  /** Followers waiting in this process, by their leader's token. */
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(private readonly conn: RedisConnection) {
    this.commands = conn.defineCommands<DebounceCommands>({
      npDebounceClaim: { keys: 1, lua: DEBOUNCE_CLAIM },
      npDebounceSettle: { keys: 1, lua: DEBOUNCE_SETTLE },
    });
    this.channel = conn.listen('debounce:wake', (message) => this.onMessage(message));
    conn.onClose(() => {
      for (const set of this.waiters.values()) for (const w of set) w(null);
      this.waiters.clear();
    });
  }

  /** The hashed key, tagged so the whole key lands on one Cluster slot. */
  private k(key: string): string {
    return this.conn.k('debounce:{' + key + '}');
  }

  async claim(
    key: string,
    token: string,
    windowMs: number,
    follow: boolean,
  ): Promise<DebounceClaim> {
    const k = this.k(key);
    const reply = await this.conn.call(() =>
      this.commands.npDebounceClaimBuffer(k, token, windowMs, follow ? 1 : 0),
    );
    if (reply[0] === 1) return LEADER_CLAIM;
    const state = reply[2] as Buffer;
    const pttl = Number(reply[4]);
    return {
      role: 'follower',
      token: (reply[1] as Buffer).toString(),
      remainingMs: pttl > 0 ? pttl : 0,
      outcome: toOutcome(state[0], reply[3] as Buffer),
    };
  }

  async settle(key: string, token: string, outcome: DebounceOutcome): Promise<void> {
    const done = outcome.kind === 'response';
    const response = done ? encodeResponse(outcome.response) : '';
    const wake = this.conn.wakeups.channel(this.channel, key);
    await this.conn.call(() =>
      this.commands.npDebounceSettle(
        this.k(key),
        token,
        done ? 'd' : 'f',
        response,
        wake.channel,
        wake.sharded ? 1 : 0,
      ),
    );
  }

  async await(key: string, token: string, timeoutMs: number): Promise<DebounceOutcome | null> {
    let settle!: Waiter;
    const woken = new Promise<DebounceOutcome | null>((resolve) => (settle = resolve));
    const timer = setTimeout(() => settle(null), timeoutMs);
    let set = this.waiters.get(token);
    if (!set) this.waiters.set(token, (set = new Set()));
    set.add(settle);
    const wake = this.conn.wakeups.channel(this.channel, key);
    let held = false;
    try {
      if (wake.sharded) {
        // The key's own channel, subscribed only while someone here waits on it.
        await this.conn.wakeups.hold(wake.channel);
        held = true;
      }
      // Look again now that we listen: the leader may have finished between our claim and
      // the waiter's registration (or subscription), and that message is gone.
      const [t, s, r] = await this.conn.call(() =>
        this.conn.client.hmgetBuffer(this.k(key), 't', 's', 'r'),
      );
      if (!t || t.toString() !== token) return null;
      const now = s ? toOutcome(s[0], r ?? Buffer.alloc(0)) : null;
      if (now) return now;
      return await woken;
    } finally {
      clearTimeout(timer);
      set.delete(settle);
      if (set.size === 0) this.waiters.delete(token);
      if (held) this.conn.wakeups.release(wake.channel);
    }
  }

  private onMessage(message: Buffer): void {
    const nl = message.indexOf(10);
    if (nl < 0) return;
    const token = message.toString('latin1', 0, nl);
    const set = this.waiters.get(token);
    if (!set) return;
    const outcome = toOutcome(message[nl + 1], message.subarray(nl + 2)) ?? {
      kind: 'failed' as const,
    };
    for (const w of [...set]) w(outcome);
  }
}

function toOutcome(state: number | undefined, response: Buffer): DebounceOutcome | null {
  if (state === STATE_DONE) {
    const decoded = decodeResponse(response);
    return decoded ? { kind: 'response', response: decoded } : { kind: 'failed' };
  }
  if (state === STATE_FAILED) return { kind: 'failed' };
  return null;
}
