import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRedis } from '../test/helpers/redis-server';
import { FLEXIBLE_WITH_HEADERS } from './flexible-scenarios';
import { requestMaker } from './bench-signed';

/*
 * npm run bench:instructions. CPU time on a shared VM drifts by several per cent within
 * seconds; instruction counts do not. Each app runs under valgrind's callgrind with V8 in
 * predictable mode (one thread, a fixed GC schedule), is warmed up, collected (gc), warmed
 * again, and then the instructions of a fixed number of sequential requests are counted
 * (callgrind_control zeroes the counters before and dumps them after). The same configuration
 * repeats within about 0.2 %. User-space instructions only: kernel time (socket reads and
 * writes) is not in the figure, and an instruction is not a fixed amount of time, so this
 * complements the CPU-time benchmark rather than replacing it.
 */

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const WARMUP = Number(process.env.BENCH_WARMUP_REQUESTS ?? 30_000);
// gc() throws away optimized code: V8 re-optimizes about 150 functions over the next ~20,000
// requests, and TurboFan at work in the window would be a third of the count.
const AFTER_GC = Number(process.env.BENCH_AFTER_GC_REQUESTS ?? 30_000);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 2);
// BENCH_NODE_FLAGS='--perf-basic-prof' writes /tmp/perf-<pid>.map: with BENCH_KEEP=1,
// bench/jit-profile.ts then names the JIT-compiled functions in a dump.
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];

interface Scenario {
  name: string;
  label: string;
  path: string;
  /** The app uses a Redis store (a redis-server of the run's own, on loopback). */
  redis?: boolean;
  /** Every measured request is refused (429): the refusal path. */
  refused?: boolean;
}

const ALL: Scenario[] = [
  { name: 'bare', label: '(a) bare Nest + Fastify', path: '/speed?id=[<id>]' },
  { name: 'module', label: '(b) ProtectionModule, unannotated route', path: '/speed?id=[<id>]' },
  {
    name: 'guard',
    label: "(ref) a guard that only returns true: Nest's guard pipeline",
    path: '/pass?id=[<id>]',
  },
  { name: 'debounce', label: '(c) @Debounce, unique keys, memory', path: '/debounce?id=[<id>]' },
  // Same decision, but the entry dies at once: the difference to (c) is what retention costs.
  {
    name: 'debounce-short',
    label: '(ref) @Debounce with a 1 ms window',
    path: '/debounce-short?id=[<id>]',
  },
  // With an OpenTelemetry SDK registered (a MeterProvider with a Prometheus reader).
  {
    name: 'module-otel',
    label: '(b) with an OpenTelemetry SDK registered',
    path: '/speed?id=[<id>]',
  },
  {
    name: 'debounce-otel',
    label: '(c) with an OpenTelemetry SDK registered',
    path: '/debounce?id=[<id>]',
  },
  {
    name: 'rl-ours-otel',
    label: '(e) with an OpenTelemetry SDK registered',
    path: '/rl?id=[<id>]',
  },
  {
    name: 'rl-ours-redis-otel',
    label: '(f) with an OpenTelemetry SDK registered',
    path: '/rl?id=[<id>]',
    redis: true,
  },
  { name: 'signed', label: '(j) @Signed GET (vs (a))', path: '/signed' },
  { name: 'bare-post', label: '(ref) bare Nest + Fastify, POST of 1 KB JSON', path: '/post' },
  {
    name: 'signed-post',
    label: '(j) @Signed POST of 1 KB JSON (vs bare POST)',
    path: '/signed-post',
  },
  { name: 'rl-ours', label: '(e) @RateLimit, memory', path: '/rl?id=[<id>]' },
  {
    name: 'page-budget',
    label: '(ref) @PageDefault with a scraping budget, memory (never refused)',
    path: '/page-budget?id=[<id>]',
  },
  {
    name: 'page-plain',
    label: '(ref) the same @PageDefault route without a budget',
    path: '/page-plain?id=[<id>]',
  },
  {
    name: 'rl-flexible',
    label: '(e) rate-limiter-flexible, memory',
    path: '/rl?id=[<id>]',
  },
  {
    name: 'rl-ours-redis',
    label: '(f) @RateLimit, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
  },
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
    refused: true,
  },
  {
    name: 'rl-throttler-blocked',
    label: '(g) @nestjs/throttler, blocked key, memory',
    path: '/rl?id=[<id>]',
    refused: true,
  },
  {
    name: 'rl-flexible-blocked',
    label: '(g) rate-limiter-flexible, blocked key, memory',
    path: '/rl?id=[<id>]',
    refused: true,
  },
  {
    name: 'rl-ours-blocked-redis',
    label: '(h) @RateLimit, blocked key, Redis',
    path: '/rl-blocked?id=[<id>]',
    redis: true,
    refused: true,
  },
  {
    name: 'rl-throttler-blocked-redis',
    label: '(h) @nestjs/throttler, blocked key, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
    refused: true,
  },
  {
    name: 'rl-flexible-blocked-redis',
    label: '(h) rate-limiter-flexible, blocked key, Redis',
    path: '/rl?id=[<id>]',
    redis: true,
    refused: true,
  },
  ...FLEXIBLE_WITH_HEADERS,
];
const ONLY = process.env.BENCH_ONLY?.split(',');
const SCENARIOS = ONLY ? ALL.filter((s) => s.name === 'bare' || ONLY.includes(s.name)) : ALL;

function have(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ask(child: ChildProcess, message: string): Promise<unknown> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

/**
 * Instructions spent in V8's optimizing compiler (runtime entries Runtime_Compile*, inclusive).
 * Even 30,000 requests after gc() it still compiles now and then, a few million instructions
 * each time; a long-running server pays that once, so the steady figure leaves it out.
 */
function compiling(dump: string): number {
  const report = execFileSync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', '--auto=no', dump],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  let sum = 0;
  for (const m of report.matchAll(/^\s*([\d,]+)\s.*v8::internal::Runtime_Compile\w*\(/gm))
    sum += Number(m[1]!.replace(/,/g, ''));
  return sum;
}

interface Count {
  /** Every instruction in the window, per request. */
  total: number;
  /** Without the optimizing compiler's. */
  steady: number;
}

async function count(
  scenario: Scenario,
  dir: string,
  redisUrl: string | undefined,
): Promise<Count> {
  const out = join(dir, `cg.${scenario.name}`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all',
      `--callgrind-out-file=${out}.%p`,
      process.execPath,
      '--predictable',
      '--predictable-gc-schedule',
      '--expose-gc',
      ...NODE_FLAGS,
      join(__dirname, 'bench-server.js'),
      scenario.name,
      ...(scenario.redis && redisUrl ? [redisUrl] : []),
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.on(
        'message',
        (m: { url?: string }) => m.url && resolve(m.url.replace('[::1]', '127.0.0.1')),
      );
      child.once('exit', (code) => reject(new Error(`${scenario.name} exited (${code})`)));
    });
    // Under valgrind a request can take seconds while V8 compiles: no client timeouts.
    const setupRequest = requestMaker(scenario.name, url);
    const target = {
      url: url + scenario.path,
      connections: 1,
      idReplacement: true,
      timeout: 120,
      ...(setupRequest ? { requests: [{ setupRequest }] } : {}),
    };
    await autocannon({ ...target, amount: WARMUP });
    await ask(child, 'start'); // a full collection: no start-up garbage in the window
    await autocannon({ ...target, amount: AFTER_GC });
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    const result = await autocannon({ ...target, amount: REQUESTS });
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    // A blocked key's window can end during a slow valgrind run: one answer in a thousand may pass.
    const unexpected = scenario.refused
      ? Math.max(
          0,
          result.requests.total - (result.statusCodeStats['429']?.count ?? 0) - REQUESTS / 1000,
        )
      : result.non2xx;
    if (unexpected || result.errors)
      throw new Error(
        `${scenario.name}: ${unexpected} unexpected answers, ${result.errors} errors`,
      );
    const dump = readdirSync(dir).find((f) => f.startsWith(`cg.${scenario.name}.${child.pid}.`));
    if (!dump) throw new Error(`${scenario.name}: no callgrind dump`);
    const summary = /^summary: (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'));
    if (!summary) throw new Error(`${scenario.name}: no summary in ${dump}`);
    const total = Number(summary[1]);
    return {
      total: total / result.requests.total,
      steady: (total - compiling(join(dir, dump))) / result.requests.total,
    };
  } finally {
    child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (!have('valgrind') || !have('callgrind_control')) {
    console.error('valgrind is not installed (Debian: apt-get install -y valgrind)');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'nest-protection-callgrind-'));
  const results = new Map<string, Count>();
  try {
    const queue = [...SCENARIOS];
    const worker = async (): Promise<void> => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        // A Redis scenario gets a redis-server of its own (the blocked ones block their key).
        const redis = s.redis ? await TestRedis.start() : null;
        const perRequest = await count(s, dir, redis?.url).finally(() => redis?.stop());
        results.set(s.name, perRequest);
        console.log(
          `${s.name}: ${Math.round(perRequest.steady)} instructions/request (${Math.round(perRequest.total)} with JIT compilation)`,
        );
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    // BENCH_KEEP=1 keeps the dumps for callgrind_annotate.
    if (process.env.BENCH_KEEP) console.log(`callgrind dumps kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  const bare = results.get('bare');
  console.log(
    `\n${REQUESTS} sequential requests per scenario after ${WARMUP} + gc() + ${AFTER_GC} warm-up, valgrind callgrind, node --predictable\n`,
  );
  console.log('| scenario | instructions/request | vs (a) | with JIT compilation | vs (a) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const s of SCENARIOS) {
    const n = results.get(s.name);
    if (!n || !bare) continue;
    console.log(
      `| ${s.label} | ${Math.round(n.steady)} | ${(n.steady / bare.steady).toFixed(3)} | ${Math.round(n.total)} | ${(n.total / bare.total).toFixed(3)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
