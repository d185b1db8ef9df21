import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import { uniqueId } from '../libs/protection/src/core/unique-id';
import {
  decide,
  type AlgorithmDecision,
  type AlgorithmPolicy,
  type AlgorithmState,
  type GcraState,
  type RateLimitOp,
  type WindowState,
} from '../libs/protection/src/store/rate-limit/algorithms';
import { RATE_LIMIT_ALGORITHMS } from '../libs/protection/src/store/rate-limit/rate-limit-algorithms.lua';
import {
  decodeReply,
  withScriptArgs,
} from '../libs/protection/src/store/rate-limit/rate-limit.redis-codec';
import { TestRedis } from './helpers/redis-server';

/*
 * The Lua script against the pure TypeScript steps, on a real redis-server: thousands of random
 * operations per policy set, the same `now` fed to both; every result and every stored state
 * must be identical.
 *
 * Redis expires keys on its own clock, which runs apart from the simulated one. So after
 * checking each written key's PTTL against the TypeScript TTL, the test PERSISTs it: Redis then
 * keeps stale state, which its script must read as empty, while the TypeScript side forgets
 * each state at its TTL, as the memory store does. The results agree only if stale state reads
 * as empty and no TTL is too short.
 */

interface AlgorithmCommands {
  npRateLimitAlgorithms(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number[]>;
}

/** A small seeded PRNG (mulberry32): a failing run can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the script keeps in a key, in the TypeScript state's terms (undefined: no key). */
function parseStored(algorithm: string, raw: unknown): AlgorithmState | undefined {
  if (algorithm === 'log') {
    const pairs = raw as string[];
    return pairs.length === 0 ? undefined : pairs.filter((_, k) => k % 2 === 1).map(Number);
  }
  if (raw === null) return undefined;
  const n = String(raw).split(' ').map(Number);
  return algorithm === 'gcra'
    ? ({ at: n[0], debt: n[1] } as GcraState)
    : ({ i: n[0], curr: n[1], prev: n[2] } as WindowState);
}

const DAYS_31 = 31 * 24 * 3600 * 1000;
// Weighted: hit 4/9, check 2/9, force 1/9, refund 2/9.
// prettier-ignore
const OPS: RateLimitOp[] = ['hit', 'hit', 'hit', 'hit', 'check', 'check', 'force', 'refund', 'refund'];

describe('rate-limit algorithms: Lua and TypeScript agree step by step', () => {
  let redis: TestRedis;
  let client: Redis;
  let commands: AlgorithmCommands;
  before(async () => {
    redis = await TestRedis.start();
    client = new Redis(redis.url);
    client.defineCommand('npRateLimitAlgorithms', { lua: RATE_LIMIT_ALGORITHMS });
    commands = client as unknown as AlgorithmCommands;
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  let run = 0;
  /** Random operations on one client under `policies`; returns how many ended how. */
  async function differential(policies: AlgorithmPolicy[], steps: number, seed: number) {
    const random = mulberry32(seed);
    const int = (n: number): number => Math.floor(random() * n);
    const tag = `{c${++run}}`;
    const keys = policies.map((p, i) => `np:ratelimit:${tag}:${i}:${p.algorithm}`);
    // The TypeScript side: states with their expiry, as the memory store keeps them.
    const table = new Map<string, { state: AlgorithmState; expiresAt: number }>();
    // What Redis should hold: the last state written (kept past its TTL, see above).
    const stored = new Map<string, AlgorithmState | undefined>();
    let now = 1_800_000_000_000 + int(1_000_000);
    let last: AlgorithmDecision | undefined;
    const counts: Record<string, number> = {};

    for (let step = 0; step < steps; step++) {
      now += nextStep(random, policies, now, last);
      const op = OPS[int(OPS.length)] as RateLimitOp;
      const cap = Math.max(...policies.map((p) => p.burst ?? p.limit));
      // Mostly 0..3; sometimes a cost near or past what the largest policy can hold.
      const cost = random() < 0.05 ? Math.min(1e6, int(Math.ceil(cap * 1.2) + 1)) : int(4);
      const member = `m${step}`;

      const states = keys.map((k) => {
        const e = table.get(k);
        return e !== undefined && e.expiresAt > now ? e.state : undefined;
      });
      const ts = decide(op, cost, now, policies, states);
      for (const [i, w] of (ts.writes ?? []).entries()) {
        const k = keys[i] as string;
        if (w.state === undefined) table.delete(k);
        else table.set(k, { state: w.state, expiresAt: now + w.ttlMs });
        stored.set(k, w.state);
      }

      const tx = client.multi();
      (tx as unknown as AlgorithmCommands).npRateLimitAlgorithms(
        keys.length,
        ...withScriptArgs([...keys], now, op, cost, member, policies),
      );
      for (const [i, k] of keys.entries()) {
        tx.pttl(k);
        if (policies[i]?.algorithm === 'log') tx.zrange(k, '0', '-1', 'WITHSCORES');
        else tx.get(k);
        tx.persist(k);
      }
      const sent = performance.now();
      const replies = (await tx.exec()) ?? [];
      // Within 1 ms, unless Redis was descheduled between the script and PTTL (a loaded
      // machine): that can take at most the round trip.
      const slack = 1 + Math.floor(performance.now() - sent);
      for (const [err] of replies) if (err) throw err;
      const [lua, ...rest] = replies.map(([, value]) => value);

      const where = `seed ${seed}, step ${step}: ${op} ${cost} at ${now}`;
      assert.deepEqual(decodeReply(lua as number[], policies.length), ts.decision, where);
      for (const [i, k] of keys.entries()) {
        const policy = policies[i] as AlgorithmPolicy;
        const pttl = rest[i * 3] as number;
        const want = stored.get(k);
        assert.deepEqual(parseStored(policy.algorithm, rest[i * 3 + 1]), want, `${where}: ${k}`);
        const w = ts.writes?.[i];
        if (want === undefined) assert.equal(pttl, -2, `${where}: ${k} absent`);
        else if (w === undefined) assert.equal(pttl, -1, `${where}: ${k} untouched`);
        else {
          const late = w.ttlMs - pttl;
          assert.ok(late >= 0 && late <= slack, `${where}: PTTL ${pttl} vs ${w.ttlMs} (${slack})`);
        }
      }
      const outcome = `${op} ${ts.decision.allowed ? 'allowed' : 'refused'}`;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      last = ts.decision;
    }
    return counts;
  }

  const T = (limit: number, windowMs: number, burst?: number): AlgorithmPolicy => ({
    algorithm: 'gcra',
    limit,
    windowMs,
    ...(burst === undefined ? {} : { burst }),
  });
  const W = (limit: number, windowMs: number): AlgorithmPolicy => ({
    algorithm: 'window',
    limit,
    windowMs,
  });
  const L = (limit: number, windowMs: number): AlgorithmPolicy => ({
    algorithm: 'log',
    limit,
    windowMs,
  });
  const SETS: Array<[string, AlgorithmPolicy[]]> = [
    ['gcra 1/1s', [T(1, 1000)]],
    ['gcra 5/1s', [T(5, 1000)]],
    ['gcra 3/1s (T fractional)', [T(3, 1000)]],
    ['gcra 7/1min burst 2', [T(7, 60_000, 2)]],
    ['gcra 100/1min burst 150', [T(100, 60_000, 150)]],
    ['gcra 1000/1s', [T(1000, 1000)]],
    ['window 1/1s', [W(1, 1000)]],
    ['window 5/1s', [W(5, 1000)]],
    ['window 100/1min', [W(100, 60_000)]],
    ['window 1000/1s', [W(1000, 1000)]],
    ['log 1/1s', [L(1, 1000)]],
    ['log 5/1s', [L(5, 1000)]],
    ['log 100/1min', [L(100, 60_000)]],
    ['log 1000/1s', [L(1000, 1000)]],
    ['gcra at the bounds: 1e6/1ms, 1/31 days burst 1e6', [T(1e6, 1), T(1, DAYS_31, 1e6)]],
    ['window 7/31 days + log 2/1ms', [W(7, DAYS_31), L(2, 1)]],
    ['gcra 5/1s + window 100/1min', [T(5, 1000), W(100, 60_000)]],
    ['window 5/1s + log 100/1min', [W(5, 1000), L(100, 60_000)]],
    ['log 1/1s + gcra 3/1s + window 1000/1s', [L(1, 1000), T(3, 1000), W(1000, 1000)]],
  ];

  for (const [seed, [name, policies]] of SETS.entries()) {
    it(name, async () => {
      const counts = await differential(policies, 3000, 1000 + seed);
      for (const outcome of ['hit allowed', 'hit refused', 'check refused', 'force allowed']) {
        assert.ok((counts[outcome] ?? 0) > 0, `${outcome}: ${JSON.stringify(counts)}`);
      }
    });
  }

  it("takes the Redis server's time when now is ''", async () => {
    const policy = T(5, 1000);
    const key = 'np:ratelimit:{time}:0:gcra';
    const args = withScriptArgs([key], '', 'hit', 2, 'm', [policy]);
    const reply = await commands.npRateLimitAlgorithms(1, ...args);
    assert.deepEqual(reply, [3, 200, 0], 'allowed: the first integer is the remaining count');
    const [at] = String(await client.get(key))
      .split(' ')
      .map(Number);
    assert.ok(Math.abs((at as number) - Date.now()) < 1000, `at ${at}`);
  });

  it('keeps a small key per client for gcra and window, and a log that grows with the limit', async () => {
    const rows: string[] = [];
    const usage: Record<string, number> = {};
    for (const algorithm of ['gcra', 'window', 'log'] as const) {
      for (const limit of [10, 100, 1000]) {
        const key = `np:ratelimit:{mem-${algorithm}-${limit}}:0:${algorithm}`;
        const policies = [{ algorithm, limit, windowMs: 60_000 }];
        // Filled to the limit, one request at a time, with real member ids.
        for (let n = 0; n < limit; n++) {
          const args = withScriptArgs([key], '', 'hit', 1, uniqueId(), policies);
          await commands.npRateLimitAlgorithms(1, ...args);
        }
        const bytes = Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        usage[`${algorithm} ${limit}`] = bytes;
        rows.push(`  ${algorithm.padEnd(6)} limit ${String(limit).padStart(4)}: ${bytes} bytes`);
      }
    }
    console.log(`MEMORY USAGE of one client's key, filled to the limit:\n${rows.join('\n')}`);
    for (const algorithm of ['gcra', 'window']) {
      assert.ok(
        (usage[`${algorithm} 1000`] as number) <= 160,
        `${algorithm}: ${usage[`${algorithm} 1000`]}`,
      );
    }
    assert.ok((usage['log 1000'] as number) > 10 * (usage['log 10'] as number), 'the log grows');
    assert.ok((usage['log 1000'] as number) > 1000 * 16, 'at least the member ids');
  });
});

/** How far the simulated clock moves: often not at all, often onto an edge. */
function nextStep(
  random: () => number,
  policies: readonly AlgorithmPolicy[],
  now: number,
  last: AlgorithmDecision | undefined,
): number {
  const int = (n: number): number => Math.floor(random() * n);
  const p = policies[int(policies.length)] as AlgorithmPolicy;
  const w = p.windowMs;
  const r = random();
  if (r < 0.2) return 0;
  if (r < 0.3) return 1;
  if (r < 0.45) return 1 + int(10);
  // Whole multiples of the emission interval (rounded when it is fractional).
  if (r < 0.55) return Math.round(((1 + int(3)) * w) / p.limit);
  // Onto a bucket boundary, or a ms either side.
  if (r < 0.65) return Math.max(0, (Math.floor(now / w) + 1) * w - now + int(3) - 1);
  // Exactly when the last answer said something changes, or a ms either side.
  if (r < 0.8 && last !== undefined) {
    const q = last.policies[int(last.policies.length)];
    const at = random() < 0.5 ? (q?.resetMs ?? 0) : (q?.retryMs ?? 0);
    // (A debt of a million requests at one per 31 days is not waited out.)
    if (at <= 3 * w) return Math.max(0, at + int(3) - 1);
  }
  // The clock going back (instances whose clocks disagree): both must count alike.
  if (r < 0.82) return -1 - int(w);
  if (r < 0.95) return int(w);
  return w + int(2 * w);
}
