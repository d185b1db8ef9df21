import autocannon from 'autocannon';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TestCluster } from '../test/helpers/redis-cluster';
import { FLEXIBLE_WITH_HEADERS } from './flexible-scenarios';
import { requestMaker } from './bench-signed';

/*
 * npm run bench. Each app under test runs in its own process pinned to core 0; autocannon (and
 * redis-server) run on core 1. Per scenario: the server's own CPU microseconds per request
 * (process.cpuUsage over the measured slice) and req/s, as ratios against the bare app.
 * Loopback only. Every scenario requests the same URL shape (`?id=<unique uuid>`), so query
 * parsing costs the same in all.
 *
 * A shared VM drifts by several per cent within seconds, so each app is started and warmed once
 * and then measured in short slices, with a slice of the bare app right before and right after
 * every other slice: a ratio is one slice against the mean of its two bare neighbours, and the
 * table gives the median of the rounds with min-max.
 */

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = 50;

interface Scenario {
  name: string;
  label: string;
  path: string;
  /** The store: memory (false), one Redis node, or a Redis Cluster (3 masters + 3 replicas). */
  redis: boolean | 'cluster';
}

const ONLY = process.env.BENCH_ONLY?.split(',');
const ALL_SCENARIOS: Scenario[] = [
  { name: 'bare', label: '(a) bare Nest + Fastify', path: '/speed?id=[<id>]', redis: false },
  {
    name: 'module',
    label: '(b) ProtectionModule, unannotated route',
    path: '/speed?id=[<id>]',
    redis: false,
  },
  { name: 'module-redis', label: '(b) same, Redis store', path: '/speed?id=[<id>]', redis: true },
  {
    name: 'guard',
    label: "(ref) a guard that only returns true: Nest's guard pipeline",
    path: '/pass?id=[<id>]',
    redis: false,
  },
  {
    name: 'debounce',
    label: '(c) @Debounce, unique keys, memory',
    path: '/debounce?id=[<id>]',
    redis: false,
  },
  {
    name: 'debounce-reuse',
    label: '(c) @Debounce reuse, unique keys, memory',
    path: '/debounce-reuse?id=[<id>]',
    redis: false,
  },
  {
    name: 'debounce-redis',
    label: '(d) @Debounce, unique keys, Redis',
    path: '/debounce?id=[<id>]',
    redis: true,
  },
  {
    name: 'debounce-reuse-redis',
    label: '(d) @Debounce reuse, unique keys, Redis',
    path: '/debounce-reuse?id=[<id>]',
    redis: true,
  },
  { name: 'rl-ours', label: '(e) @RateLimit, memory', path: '/rl?id=[<id>]', redis: false },
  {
    name: 'rl-throttler',
    label: '(e) @nestjs/throttler, memory',
    path: '/rl?id=[<id>]',
    redis: false,
  },
  {
    name: 'rl-flexible',
    label: '(e) rate-limiter-flexible, memory',
    path: '/rl?id=[<id>]',
    redis: false,
  },
  { name: 'rl-ours-redis', label: '(f) @RateLimit, Redis', path: '/rl?id=[<id>]', redis: true },
  {
    name: 'rl-throttler-redis',
    label: '(f) @nestjs/throttler, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  {
    name: 'rl-flexible-redis',
    label: '(f) rate-limiter-flexible, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  {
    name: 'rl-ours-blocked',
    label: '(g) @RateLimit, blocked key, memory',
    path: '/rl-blocked?id=[<id>]',
    redis: false,
  },
  {
    name: 'rl-throttler-blocked',
    label: '(g) @nestjs/throttler, blocked key, memory',
    path: '/rl?id=[<id>]',
    redis: false,
  },
  {
    name: 'rl-flexible-blocked',
    label: '(g) rate-limiter-flexible, blocked key, memory',
    path: '/rl?id=[<id>]',
    redis: false,
  },
  {
    name: 'rl-ours-blocked-redis',
    label: '(h) @RateLimit, blocked key, Redis',
    path: '/rl-blocked?id=[<id>]',
    redis: true,
  },
  {
    name: 'rl-throttler-blocked-redis',
    label: '(h) @nestjs/throttler, blocked key, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  {
    name: 'rl-flexible-blocked-redis',
    label: '(h) rate-limiter-flexible, blocked key, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  ...FLEXIBLE_WITH_HEADERS,
  { name: 'signed', label: '(j) @Signed GET', path: '/signed', redis: false },
  {
    name: 'bare-post',
    label: '(ref) bare Nest + Fastify, POST of 1 KB JSON',
    path: '/post',
    redis: false,
  },
  {
    name: 'signed-post',
    label: '(j) @Signed POST of 1 KB JSON',
    path: '/signed-post',
    redis: false,
  },
  {
    name: 'redis-floor',
    label: '(ref) a guard sending one INCR per request (plain ioredis): the floor',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  {
    name: 'rl-ours-cluster',
    label: '(i) @RateLimit, Redis Cluster',
    path: '/rl?id=[<id>]',
    redis: 'cluster',
  },
  {
    name: 'rl-ours-blocked-cluster',
    label: '(i) @RateLimit, blocked key, Redis Cluster',
    path: '/rl-blocked?id=[<id>]',
    redis: 'cluster',
  },
];
const SCENARIOS = ONLY
  ? ALL_SCENARIOS.filter((s) => s.name === 'bare' || ONLY.includes(s.name))
  : ALL_SCENARIOS;

interface Sample {
  /** Share of the CPU time spent in user space. */
  userShare: number;
  cpuPerRequest: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Commands the app sent to Redis per request: round trips. */
  redisCommandsPerRequest: number | null;
  /** Commands Redis ran per request, including those inside our Lua scripts. */
  redisExecutedPerRequest: number | null;
  /** redis-server's own CPU µs per request (single node only): the cost every instance shares. */
  redisCpuPerRequest: number | null;
}

const children = new Set<ChildProcess>();
function cleanup(): void {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function pin(pid: number, core: number): void {
  try {
    execFileSync('taskset', ['-cp', String(core), String(pid)], { stdio: 'ignore' });
  } catch {
    console.warn(`taskset unavailable: process ${pid} not pinned to core ${core}`);
  }
}

async function startRedis(): Promise<{ url: string; client: Redis; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  children.add(proc);
  if (proc.pid) pin(proc.pid, 1);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => 100 });
  client.on('error', () => undefined); // refused until redis-server is up; retried below
  for (let i = 0; i < 50; i++) {
    try {
      await client.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, client, proc };
}

async function startServer(
  scenario: Scenario,
  redisUrl: string | undefined,
): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(
    join(__dirname, 'bench-server.js'),
    [scenario.name, ...(redisUrl ? [redisUrl] : [])],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  children.add(child);
  if (child.pid) pin(child.pid, 0);
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url?: string }) =>
      m.url ? resolve(m.url) : reject(new Error('no url')),
    );
    child.once('exit', (code) =>
      reject(new Error(`bench server ${scenario.name} exited (${code})`)),
    );
  });
  return { child, url: url.replace('[::1]', '127.0.0.1') };
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m: T) => resolve(m));
    child.send(message);
  });
}

function commandCalls(info: string): number {
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (!['info', 'config', 'ping', 'subscribe'].includes(m[1] as string)) total += Number(m[2]);
  }
  return total;
}

interface Server {
  scenario: Scenario;
  child: ChildProcess;
  url: string;
}

/** autocannon's target for a scenario: the signed ones sign every request in this process. */
function targetOf(scenario: Scenario, url: string): autocannon.Options {
  const setupRequest = requestMaker(scenario.name, url);
  return {
    url: url + scenario.path,
    connections: CONNECTIONS,
    idReplacement: true,
    ...(setupRequest ? { requests: [{ setupRequest }] } : {}),
  };
}

async function measure(
  server: Server,
  redis: { url: string; client: Redis } | null,
  seconds: number,
): Promise<Sample> {
  const { scenario, child, url } = server;
  const target = targetOf(scenario, url);
  if (scenario.redis === true) await redis?.client.config('RESETSTAT');
  const redisCpuBefore = scenario.redis === true && redis ? await redisCpu(redis.client) : 0;
  await ask(child, 'start');
  const result = await autocannon({ ...target, duration: seconds });
  const { cpuMicros, userMicros, redisCommandsSent } = await ask<{
    cpuMicros: number;
    userMicros: number;
    redisCommandsSent: number;
  }>(child, 'stop');
  const calls =
    scenario.redis === true && redis ? commandCalls(await redis.client.info('commandstats')) : null;
  const requests = result.requests.total;
  const redisCpuUsed =
    scenario.redis === true && redis ? (await redisCpu(redis.client)) - redisCpuBefore : null;
  return {
    cpuPerRequest: cpuMicros / requests,
    userShare: userMicros / cpuMicros,
    rps: result.requests.average,
    requests,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    redisCommandsPerRequest: scenario.redis ? redisCommandsSent / requests : null,
    redisExecutedPerRequest: calls === null ? null : calls / requests,
    redisCpuPerRequest: redisCpuUsed === null ? null : redisCpuUsed / requests,
  };
}

/** redis-server's CPU time so far (user + system), in µs. */
async function redisCpu(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const spread = (xs: number[], digits: number): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  pin(process.pid, 1);
  const redis = await startRedis();
  // The Cluster's nodes share core 1 with autocannon and the single node, as that one does.
  const cluster = SCENARIOS.some((s) => s.redis === 'cluster') ? await TestCluster.start() : null;
  for (const pid of cluster?.pids ?? []) pin(pid, 1);
  const clusterArg = cluster
    ? 'cluster:' + cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(',')
    : undefined;
  const samples = new Map<string, Sample[]>(SCENARIOS.map((s) => [s.name, []]));
  const ratios = new Map<string, { cpu: number[]; rps: number[] }>(
    SCENARIOS.map((s) => [s.name, { cpu: [], rps: [] }]),
  );
  const servers: Server[] = [];
  for (const scenario of SCENARIOS) {
    const started = await startServer(
      scenario,
      scenario.redis === 'cluster' ? clusterArg : scenario.redis ? redis.url : undefined,
    );
    servers.push({ scenario, ...started });
    await autocannon({ ...targetOf(scenario, started.url), duration: WARMUP });
  }
  const bare = servers.find((s) => s.scenario.name === 'bare');
  if (!bare) throw new Error('the bare scenario is the yardstick');
  const others = servers.filter((s) => s !== bare);
  const log = (round: number, name: string, sample: Sample): void =>
    console.log(
      `round ${round} ${name}: ${sample.cpuPerRequest.toFixed(2)} µs/req, ${Math.round(sample.rps)} req/s` +
        (sample.redisCommandsPerRequest !== null
          ? `, ${sample.redisCommandsPerRequest.toFixed(2)} Redis round trips/req` +
            (sample.redisExecutedPerRequest !== null
              ? ` (${sample.redisExecutedPerRequest.toFixed(2)} commands run, redis-server ${sample.redisCpuPerRequest?.toFixed(2)} µs/req)`
              : '')
          : '') +
        (sample.non2xx || sample.errors
          ? `, non-2xx ${sample.non2xx}, errors ${sample.errors}`
          : ''),
    );
  for (let round = 1; round <= ROUNDS; round++) {
    let before = await measure(bare, redis, SECONDS);
    samples.get('bare')?.push(before);
    log(round, 'bare', before);
    // Rotate the order each round so no scenario always follows the same neighbour.
    const order = others.map((_, i) => others[(i + round - 1) % others.length] as Server);
    for (const server of order) {
      const sample = await measure(server, redis, SECONDS);
      const after = await measure(bare, redis, SECONDS);
      samples.get(server.scenario.name)?.push(sample);
      samples.get('bare')?.push(after);
      const cpu = (before.cpuPerRequest + after.cpuPerRequest) / 2;
      const rps = (before.rps + after.rps) / 2;
      ratios.get(server.scenario.name)?.cpu.push(sample.cpuPerRequest / cpu);
      ratios.get(server.scenario.name)?.rps.push(sample.rps / rps);
      ratios.get('bare')?.cpu.push(1);
      ratios.get('bare')?.rps.push(1);
      log(round, server.scenario.name, sample);
      before = after;
    }
  }
  for (const server of servers) server.child.kill('SIGKILL');
  redis.client.disconnect();

  const rows = SCENARIOS.map((s) => {
    const list = samples.get(s.name) ?? [];
    const r = ratios.get(s.name) ?? { cpu: [], rps: [] };
    const cmds = list.map((x) => x.redisCommandsPerRequest).filter((x): x is number => x !== null);
    const ran = list.map((x) => x.redisExecutedPerRequest).filter((x): x is number => x !== null);
    const redisCpuUs = list.map((x) => x.redisCpuPerRequest).filter((x): x is number => x !== null);
    return {
      scenario: s.label,
      cpuPerRequest: spread(
        list.map((x) => x.cpuPerRequest),
        2,
      ),
      cpuRatio: spread(r.cpu, 3),
      rps: spread(
        list.map((x) => x.rps),
        0,
      ),
      rpsRatio: spread(r.rps, 3),
      redisCommandsPerRequest: cmds.length
        ? `${median(cmds).toFixed(2)}${ran.length ? ` (${median(ran).toFixed(2)} run)` : ''}`
        : '-',
      redisCpu: redisCpuUs.length ? spread(redisCpuUs, 2) : '-',
      non2xx: list.reduce((n, x) => n + x.non2xx + x.errors, 0),
      medianCpuRatio: median(r.cpu),
    };
  });
  console.log(
    `\n${ROUNDS} rounds of ${SECONDS} s slices, each between two slices of (a); ${CONNECTIONS} connections; median (min-max)\n`,
  );
  console.log(
    '| scenario | server CPU µs/req | CPU/req vs (a) | req/s | req/s vs (a) | Redis round trips/req (commands run) | redis-server CPU µs/req | non-2xx |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.cpuPerRequest} | ${r.cpuRatio} | ${r.rps} | ${r.rpsRatio} | ${r.redisCommandsPerRequest} | ${r.redisCpu} | ${r.non2xx} |`,
    );
  }
  // Ours against the throttler per round, each against its own bare neighbours, so drift
  // between the two slices cancels.
  const versus = (ours: string, theirs: string): string => {
    const a = ratios.get(ours)?.cpu ?? [];
    const t = ratios.get(theirs)?.cpu ?? [];
    const r = a.map((x, i) => x / (t[i] ?? NaN)).filter((x) => Number.isFinite(x));
    return r.length ? `${spread(r, 3)}x` : 'not measured';
  };
  const spreadOf = (name: string): string => {
    const r = ratios.get(name)?.cpu ?? [];
    return r.length ? `${spread(r, 3)}x` : 'not measured';
  };
  console.log(
    `\n@RateLimit CPU/req vs @nestjs/throttler: memory ${versus('rl-ours', 'rl-throttler')} (target <= 0.95x), ` +
      `Redis ${versus('rl-ours-redis', 'rl-throttler-redis')} (target <= 0.75x), ` +
      `blocked key, memory ${versus('rl-ours-blocked', 'rl-throttler-blocked')} (target <= 1.0x), ` +
      `blocked key, Redis ${versus('rl-ours-blocked-redis', 'rl-throttler-blocked-redis')} (target <= 1.0x)` +
      `\n@RateLimit CPU/req vs rate-limiter-flexible: memory ${versus('rl-ours', 'rl-flexible')}, ` +
      `Redis ${versus('rl-ours-redis', 'rl-flexible-redis')}, ` +
      `blocked key, memory ${versus('rl-ours-blocked', 'rl-flexible-blocked')}, ` +
      `blocked key, Redis ${versus('rl-ours-blocked-redis', 'rl-flexible-blocked-redis')}` +
      `\n@RateLimit CPU/req vs rate-limiter-flexible writing the same headers: memory ${versus('rl-ours', 'rl-flexible-headers')}, ` +
      `Redis ${versus('rl-ours-redis', 'rl-flexible-headers-redis')}, ` +
      `blocked key, memory ${versus('rl-ours-blocked', 'rl-flexible-headers-blocked')}, ` +
      `blocked key, Redis ${versus('rl-ours-blocked-redis', 'rl-flexible-headers-blocked-redis')}` +
      `\n@Signed CPU/req: GET vs (a) ${spreadOf('signed')} (target <= 1.3x), POST of 1 KB vs the bare POST ${versus('signed-post', 'bare-post')} (target <= 1.3x)` +
      `\n@RateLimit on a Redis Cluster vs one Redis node: allowed ${versus('rl-ours-cluster', 'rl-ours-redis')}, ` +
      `blocked key ${versus('rl-ours-blocked-cluster', 'rl-ours-blocked-redis')} (target <= 1.1x)`,
  );
  // The kernel's share (socket I/O, the same for every scenario) dilutes a user-space difference:
  // with it, an instruction-count ratio r becomes about 1 + (r - 1) x share in CPU time.
  const share = median((samples.get('bare') ?? []).map((x) => x.userShare));
  console.log(`\n(a) spends ${(share * 100).toFixed(0)} % of its CPU time in user space`);
  const b = rows.find((r) => r.scenario.startsWith('(b) ProtectionModule'))?.medianCpuRatio ?? NaN;
  const c = rows.find((r) => r.scenario.startsWith('(c) @Debounce, unique'))?.medianCpuRatio ?? NaN;
  console.log(
    `\ntargets: (b) <= 1.03x: ${b.toFixed(3)}x ${b <= 1.03 ? 'met' : 'NOT met'}; (c) <= 1.20x: ${c.toFixed(3)}x ${c <= 1.2 ? 'met' : 'NOT met'}`,
  );
  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(process.cwd(), 'bench', 'results', 'latest.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        seconds: SECONDS,
        rounds: ROUNDS,
        rows,
        samples: Object.fromEntries(samples),
      },
      null,
      2,
    ),
  );
  await cluster?.stop();
  cleanup();
}

main().catch((err: unknown) => {
  console.error(err);
  cleanup();
  process.exit(1);
});
