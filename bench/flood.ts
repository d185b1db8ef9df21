import { fork, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/*
 * What a flood of rotating clients leaves behind (`npm run bench:flood`): the app (Fastify,
 * defaults, loopback proxy trusted by default) gets FLOOD requests on a rate-limited route, each
 * from a new client address (X-Forwarded-For), then TOKENS single-use @Righter tokens used once.
 * Printed per store: statuses, live entries per memory table, heap after a full GC, RSS, and
 * for Redis its key count and memory. Bounded: one app, one redis-server, on loopback.
 */

const FLOOD = Number(process.env.FLOOD ?? 120_000);
const TOKENS = Number(process.env.TOKENS ?? 20_000);
const CONCURRENCY = 32;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function call(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; code: string; token?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const code =
          res.statusCode === 200 ? '' : ((/"code":"(\w+)"/.exec(text)?.[1] ?? '') as string);
        const token = res.headers['right-editor'];
        resolve({
          status: res.statusCode ?? 0,
          code,
          ...(typeof token === 'string' ? { token } : {}),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function pool(
  count: number,
  job: (i: number) => Promise<string>,
): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const outcome = await job(next++);
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      }
    }),
  );
  return tally;
}

const label = (r: { status: number; code: string }): string =>
  `${r.status}${r.code ? ' ' + r.code : ''}`;
const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

interface Measure {
  heapUsed: number;
  rss: number;
  entries: Record<string, number>;
}

function measure(child: ChildProcess): Promise<Measure> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Measure));
    child.send('measure');
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function run(redisUrl?: string): Promise<void> {
  const child = fork(join(__dirname, 'flood-server.js'), redisUrl ? [redisUrl] : [], {
    execArgv: ['--expose-gc'],
  });
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m) => resolve((m as { url: string }).url.replace('[::1]', '127.0.0.1'))),
  );
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  const show = (what: string, m: Measure): void =>
    console.log(
      `  ${what}: heap ${mb(m.heapUsed)}, RSS ${mb(m.rss)}, entries ${JSON.stringify(m.entries)}`,
    );
  console.log(redisUrl ? 'Redis store' : 'Memory store (memory.maxEntries 100000)');
  show('idle', await measure(child));

  const attacker = { 'x-forwarded-for': '192.0.2.1' };
  const before = [];
  for (let i = 0; i < 6; i++) before.push(label(await call(`${url}/login`, 'POST', attacker)));
  const flood = await pool(FLOOD, async (i) =>
    label(await call(`${url}/login`, 'POST', { 'x-forwarded-for': address(i) })),
  );
  const after = label(await call(`${url}/login`, 'POST', attacker));
  console.log(
    `  rate limit: attacker ${before.join(', ')}; ${FLOOD} new clients ${JSON.stringify(flood)}; attacker after the flood: ${after}`,
  );

  const first = await call(`${url}/edit`, 'GET', {});
  const use = (t: string): Promise<{ status: number; code: string }> =>
    call(`${url}/once`, 'POST', { 'right-editor': t });
  const used = [label(await use(first.token ?? '')), label(await use(first.token ?? ''))];
  const tokens = await pool(TOKENS, async () => {
    const edit = await call(`${url}/edit`, 'GET', {});
    return label(await use(edit.token ?? ''));
  });
  const replay = label(await use(first.token ?? ''));
  console.log(
    `  single use: ${used.join(', ')}; ${TOKENS} other tokens ${JSON.stringify(tokens)}; replay after: ${replay}`,
  );
  show('after', await measure(child));
  if (redisUrl) {
    const redis = new Redis(redisUrl);
    const memory = /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? '0';
    const kinds: Record<string, number> = {};
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        const kind = k.split(/[:{]/).slice(0, 2).join(':');
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
    } while (cursor !== '0');
    console.log(
      `  Redis: ${await redis.dbsize()} keys ${JSON.stringify(kinds)}, used_memory ${mb(Number(memory))}`,
    );
    redis.disconnect();
  }
  child.kill();
}

async function main(): Promise<void> {
  await run();
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 300));
    await run(`redis://127.0.0.1:${port}`);
  } finally {
    redis.kill();
    agent.destroy();
  }
}

void main();
