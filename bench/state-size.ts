import { fork } from 'node:child_process';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import {
  ProtectionModule,
  RateLimit,
  RateLimitService,
  type ProtectionModuleOptions,
  type ProtectionRequest,
  type RateLimitAlgorithm,
  type RateLimitOptions,
} from 'nest-protection';
import { TestRedis } from '../test/helpers/redis-server';

/*
 * npm run bench:state. The rate-limit state that CLIENTS clients leave when each has made `limit`
 * requests in a 60 s window, per algorithm and limit:
 * - memory store: V8 heap used after a full GC, minus the same app's before any client, divided
 *   by the clients; one process per configuration (node --expose-gc), so heaps do not mix;
 * - Redis store: MEMORY USAGE (SAMPLES 0, every element) of one client's key, and used_memory
 *   (INFO memory) after minus before, divided by the clients; FLUSHALL between configurations.
 * Counting goes through RateLimitService.penalize (a count without a limit check, no HTTP). The
 * memory store counts request by request (`limit` calls of 1 point): a state written once and
 * never read again keeps its key as V8 built it (a tree of concatenated strings, ~200 bytes more
 * than the flat string a second lookup leaves), so one call of `limit` points would not leave
 * what `limit` requests do. Redis counts one call of `limit` points per client (10,000 clients
 * request by request are 33M script calls): the same state, except that the log's members are
 * `<id>`, `<id>#1`, ... rather than one 16-character id per request; STATE_REDIS_ONE_BY_ONE=1
 * counts request by request there too (use fewer clients: a key expires 60 s after its count).
 * Env: STATE_CLIENTS (10000), STATE_CLIENTS_LOG_1000 (the log at 1000's row: 10,000 clients are
 * 10M entries), STATE_ONLY=gcra-10,log-1000,... Loopback only: a redis-server of its own.
 */

const ALGORITHMS: RateLimitAlgorithm[] = ['gcra', 'window', 'log'];
const LIMITS = [10, 100, 1000];
const WINDOW_MS = 60_000;
const CLIENTS = Number(process.env.STATE_CLIENTS ?? 10_000);
const CLIENTS_LOG_1000 = Number(process.env.STATE_CLIENTS_LOG_1000 ?? CLIENTS);
const REDIS_ONE_BY_ONE = process.env.STATE_REDIS_ONE_BY_ONE === '1';
const ONLY = process.env.STATE_ONLY?.split(',');
/** Warm-up clients: counted and reset before the baseline, so code and caches are warm. */
const WARM = { memory: 2_000, redis: 200 };
/** Redis calls in flight (a log of 1000 entries takes Redis a few ms to write). */
const IN_FLIGHT = 8;
const SECRET = 'nest-protection-benchmark-secret-0123456789';

const ruleName = (algorithm: RateLimitAlgorithm, limit: number): string =>
  `state-${algorithm}-${limit}`;

/** One rule per configuration, so RateLimitService finds each by name. */
@Controller()
class StateController {
  @Get('gcra-10')
  @RateLimit(rule('gcra', 10))
  gcra10(): void {}
  @Get('gcra-100')
  @RateLimit(rule('gcra', 100))
  gcra100(): void {}
  @Get('gcra-1000')
  @RateLimit(rule('gcra', 1000))
  gcra1000(): void {}
  @Get('window-10')
  @RateLimit(rule('window', 10))
  window10(): void {}
  @Get('window-100')
  @RateLimit(rule('window', 100))
  window100(): void {}
  @Get('window-1000')
  @RateLimit(rule('window', 1000))
  window1000(): void {}
  @Get('log-10')
  @RateLimit(rule('log', 10))
  log10(): void {}
  @Get('log-100')
  @RateLimit(rule('log', 100))
  log100(): void {}
  @Get('log-1000')
  @RateLimit(rule('log', 1000))
  log1000(): void {}
}

function rule(algorithm: RateLimitAlgorithm, limit: number): RateLimitOptions {
  return {
    limit,
    window: WINDOW_MS,
    algorithm,
    name: ruleName(algorithm, limit),
    // Never called here (the service is told the key); the value stands in for an address.
    key: (req: ProtectionRequest) => String(req.socket?.remoteAddress),
  };
}

@Module({})
class StateModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: StateModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [StateController],
    };
  }
}

/** Client i as an IPv4 address (the length of a real address key); `net` keeps warm-up apart. */
const clientKey = (net: number, i: number): string =>
  `10.${net + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

interface Row {
  algorithm: RateLimitAlgorithm;
  limit: number;
  clients: number;
  seconds: number;
  /** Memory store: heap bytes per client. */
  heapPerClient?: number;
  /** Redis: MEMORY USAGE of one client's key, bytes. */
  keyUsage?: number;
  /** Redis: used_memory delta per client, bytes. */
  usedPerClient?: number;
  keys?: number;
}

// ---------------------------------------------------------------- child: one configuration

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) collect();
};

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

async function child(
  store: 'memory' | 'redis',
  algorithm: RateLimitAlgorithm,
  limit: number,
  clients: number,
  redisUrl: string | undefined,
): Promise<Row> {
  const options: ProtectionModuleOptions =
    store === 'redis' && redisUrl
      ? // A long command timeout: counting 1000 log entries a call queues up work in Redis.
        { secret: SECRET, store: { redis: redisUrl, commandTimeout: 10_000 } }
      : { memory: { maxEntries: 50_000 } };
  const app = await NestFactory.createApplicationContext(StateModule.with(options), {
    logger: false,
  });
  const service = app.get(RateLimitService);
  const name = ruleName(algorithm, limit);
  const count = async (net: number, i: number): Promise<void> => {
    const subject = { key: clientKey(net, i) };
    if (store === 'redis' && !REDIS_ONE_BY_ONE) await service.penalize(name, subject, limit);
    else for (let n = 0; n < limit; n++) await service.penalize(name, subject, 1);
  };
  const countAll = async (net: number, n: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < n; i = next++) await count(net, i);
    };
    await Promise.all(Array.from({ length: store === 'redis' ? IN_FLIGHT : 1 }, worker));
  };
  // Warm up (code, the Lua script in Redis), then forget the warm-up clients.
  await countAll(200, WARM[store]);
  for (let i = 0; i < WARM[store]; i++) await service.reset(name, { key: clientKey(200, i) });
  const probe = store === 'redis' && redisUrl ? new Redis(redisUrl) : null;
  // Before any client: Redis's used_memory, or the heap after a full collection.
  const baseline = async (): Promise<number> => {
    if (probe) {
      await settle(300);
      return usedMemory(probe);
    }
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = await baseline();
  const started = process.hrtime.bigint();
  await countAll(0, clients);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const row: Row = { algorithm, limit, clients, seconds };
  if (probe) {
    // Let incremental rehashing of Redis's key table finish before reading used_memory.
    await settle(300);
    row.usedPerClient = ((await usedMemory(probe)) - before) / clients;
    const keys = await probe.keys(`*{fn:${clientKey(0, clients >> 1)}}*`);
    if (keys.length !== 1) throw new Error(`expected 1 key of one client, found ${keys.length}`);
    row.keyUsage = Number(await probe.call('MEMORY', 'USAGE', keys[0] as string, 'SAMPLES', '0'));
    row.keys = await probe.dbsize();
    probe.disconnect();
  } else {
    gc();
    row.heapPerClient = (process.memoryUsage().heapUsed - before) / clients;
  }
  await app.close();
  return row;
}

// ---------------------------------------------------------------- parent: every configuration

function run(args: string[]): Promise<Row> {
  return new Promise((resolve, reject) => {
    const proc = fork(__filename, args, {
      execArgv: ['--expose-gc', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let row: Row | undefined;
    proc.on('message', (m: Row) => (row = m));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      row ? resolve(row) : reject(new Error(`state-size ${args.join(' ')} exited (${code})`)),
    );
  });
}

const bytes = (n: number | undefined): string =>
  n === undefined ? '-' : Math.round(n).toLocaleString('en-US');

async function parent(): Promise<void> {
  const redis = await TestRedis.start();
  process.once('SIGINT', () => void redis.stop().finally(() => process.exit(130)));
  const admin = new Redis(redis.url);
  try {
    const lines: string[] = [];
    for (const algorithm of ALGORITHMS) {
      for (const limit of LIMITS) {
        if (ONLY && !ONLY.includes(`${algorithm}-${limit}`)) continue;
        const clients = algorithm === 'log' && limit === 1000 ? CLIENTS_LOG_1000 : CLIENTS;
        const args = [algorithm, String(limit), String(clients)];
        const memory = await run(['memory', ...args]);
        await admin.flushall();
        const remote = await run(['redis', ...args, redis.url]);
        await admin.flushall();
        console.error(
          `${algorithm} ${limit}: counted in ${memory.seconds.toFixed(1)} s (memory), ${remote.seconds.toFixed(1)} s (Redis)`,
        );
        // A key that expired before the reading (a count slower than the window) is not in it.
        const lost = remote.keys === clients ? '' : `, only ${remote.keys} keys in Redis`;
        const who =
          clients === 10_000 && !lost ? '' : ` (${clients.toLocaleString('en-US')} clients${lost})`;
        lines.push(
          `| ${algorithm}${who} | ${limit} | ${bytes(memory.heapPerClient)} | ${bytes(remote.keyUsage)} | ${bytes(remote.usedPerClient)} |`,
        );
      }
    }
    console.log(
      `\nRate-limit state per client: ${CLIENTS.toLocaleString('en-US')} clients, each with \`limit\` requests counted ` +
        `(memory: request by request; Redis: ${REDIS_ONE_BY_ONE ? 'request by request' : 'one penalize(limit) each'}), window 60 s; bytes\n`,
    );
    console.log(
      '| algorithm | limit | memory store: bytes per client | Redis: MEMORY USAGE per key | Redis: used_memory per client |',
    );
    console.log('| --- | --- | --- | --- | --- |');
    for (const line of lines) console.log(line);
    if (!REDIS_ONE_BY_ONE)
      console.log(
        '\nRedis log: one penalize(limit) writes `limit` entries of one timestamp whose members are ' +
          '`<id>`, `<id>#1`, ... (a request has a 16-character id of its own); STATE_REDIS_ONE_BY_ONE=1 ' +
          'counts request by request (slower: use fewer clients).',
      );
  } finally {
    admin.disconnect();
    await redis.stop();
  }
}

const [store, algorithm, limit, clients, redisUrl] = process.argv.slice(2);
const main =
  store === 'memory' || store === 'redis'
    ? () =>
        child(
          store,
          algorithm as RateLimitAlgorithm,
          Number(limit),
          Number(clients),
          redisUrl,
        ).then((row) => {
          // Exit once the row is sent, whatever handles are left. Run by hand: print it.
          if (process.send) process.send(row, () => process.exit(0));
          else {
            console.log(JSON.stringify(row));
            process.exit(0);
          }
        })
    : parent;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
