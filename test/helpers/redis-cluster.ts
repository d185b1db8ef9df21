import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server';

/*
 * A real Redis Cluster of this test's own (redis-server processes on free loopback ports, joined
 * by `redis-cli --cluster create`). The process, polling and admin-connection pieces below are
 * exported for ./redis-sentinel too.
 */

const SLOTS = 16384;
const HOST = '127.0.0.1';

// ---- processes: every one is registered, so a failing or interrupted test leaves none behind ----

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function killAllNow(): void {
  for (const proc of running) {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  running.clear();
  for (const dir of tempDirs) removeTempDir(dir);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      // Nobody else handles it: die of it, as without this listener.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function track(proc: ChildProcess): void {
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  hookExit();
}

/** A new folder under os.tmpdir(), removed by removeTempDir() or else when the process exits. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  hookExit();
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  try {
    // Retries: a node SIGKILLed a moment ago may still be renaming its nodes.conf.
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    // left for the OS temp cleaner
  }
}

/** Ports of this process's own, each handed out once (freePort() may return a port again). */
const handedOut = new Set<number>();
export async function uniquePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > count * 20) throw new Error(`could not find ${count} distinct free ports`);
    const port = await freePort();
    if (port === 0 || handedOut.has(port)) continue;
    handedOut.add(port);
    ports.push(port);
  }
  return ports;
}

/** One redis-server (or sentinel) process; its output's tail is kept for error messages. */
export class RedisProcess {
  private tail = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly label: string,
    private readonly proc: ChildProcess,
  ) {
    track(proc);
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    // Keep draining its output so the pipe never fills and blocks the server.
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
  }

  /** Spawns `redis-server ...args` and waits until its output shows `ready`. */
  static async spawn(
    label: string,
    args: string[],
    ready = 'Ready to accept connections',
    timeoutMs = 10_000,
  ): Promise<RedisProcess> {
    const proc = spawn(process.env.REDIS_SERVER ?? 'redis-server', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new RedisProcess(label, proc);
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const done = (err?: Error): void => {
          clearTimeout(timer);
          proc.stdout?.off('data', onData);
          proc.stderr?.off('data', onData);
          proc.off('exit', onExit);
          proc.off('error', onError);
          if (err) reject(err);
          else resolve();
        };
        const timer = setTimeout(
          () => done(new Error(`${label} did not start within ${timeoutMs} ms: ${out}`)),
          timeoutMs,
        );
        const onData = (chunk: Buffer): void => {
          out += chunk.toString();
          if (out.includes(ready)) done();
        };
        const onExit = (code: number | null): void =>
          done(new Error(`${label} exited (${code}): ${out}`));
        const onError = (err: Error): void =>
          done(
            new Error(`cannot run redis-server (${err.message}); run: npm test, which installs it`),
          );
        proc.stdout?.on('data', onData);
        proc.stderr?.on('data', onData);
        proc.once('exit', onExit);
        proc.once('error', onError);
      });
    } catch (err) {
      await server.kill();
      throw err;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines the process printed. */
  get output(): string {
    return this.tail;
  }

  /** SIGKILL (an outage, not a clean shutdown); resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive || this.proc.pid === undefined) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** Runs redis-cli with `args`; resolves with its output, rejects on a non-zero exit or timeout. */
export async function redisCli(args: string[], timeoutMs: number): Promise<string> {
  const proc = spawn(process.env.REDIS_CLI ?? 'redis-cli', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(proc);
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`redis-cli ${args.join(' ')} took over ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-cli (${err.message})`));
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-cli ${args.join(' ')} exited (${code}): ${out}`));
    });
  });
}

// ---- polling ----

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `probe` every `intervalMs` until it returns a value (not undefined). `probe` reports what
 * it saw through `seen`; a thrown error counts as seen too. On timeout the error names `what`
 * and the last thing seen.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: (seen: (s: string) => void) => Promise<T | undefined>,
  intervalMs = 75,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '(nothing yet)';
  const seen = (s: string): void => {
    last = s;
  };
  for (;;) {
    try {
      const value = await probe(seen);
      if (value !== undefined) return value;
    } catch (err) {
      last = `error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen: ${last}`);
    }
    await sleep(intervalMs);
  }
}

// ---- admin connections: one per port, no reconnecting, short timeouts ----

export class AdminClients {
  private readonly clients = new Map<number, Redis>();

  /** Sends one command to the server (or sentinel) on `port`; rejects fast when it is down. */
  async call(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
    let client = this.clients.get(port);
    if (!client || client.status === 'end' || client.status === 'close') {
      client?.disconnect();
      client = new Redis({
        host: HOST,
        port,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 1000,
        commandTimeout: 2000,
      });
      client.on('error', () => {
        // surfaced by the rejected command
      });
      this.clients.set(port, client);
    }
    try {
      return await client.call(command, ...args);
    } catch (err) {
      // A command error (a reply such as -ERR) keeps the connection; anything else drops it.
      if (client.status !== 'ready') this.drop(port);
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${[command, ...args].join(' ')} on port ${port}: ${message}`, {
        cause: err,
      });
    }
  }

  async text(port: number, command: string, ...args: (string | number)[]): Promise<string> {
    return String(await this.call(port, command, ...args));
  }

  drop(port: number): void {
    this.clients.get(port)?.disconnect();
    this.clients.delete(port);
  }

  closeAll(): void {
    for (const port of [...this.clients.keys()]) this.drop(port);
  }
}

/** `field:value` lines of INFO / CLUSTER INFO as a map. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

// ---- the cluster ----

interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  link: string;
  /** [first, last] slot ranges it serves (importing/migrating markers left out). */
  slots: Array<[number, number]>;
}

/** Parses CLUSTER NODES. */
function parseNodes(text: string): NodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '-', , , , link = '', ...slots] =
        line.split(' ');
      const hostPort = addr.split('@')[0] ?? '';
      return {
        id,
        port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
        flags: flags.split(','),
        masterId: master === '-' ? null : master,
        link,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s): [number, number] => {
            const [first, last = first] = s.split('-');
            return [Number(first), Number(last)];
          }),
      };
    });
}

const isFailing = (n: NodeLine): boolean =>
  n.flags.some((f) => f === 'fail' || f === 'fail?' || f === 'handshake' || f === 'noaddr');
const slotCount = (n: NodeLine): number => n.slots.reduce((sum, [a, b]) => sum + b - a + 1, 0);

export interface TestClusterOptions {
  /** Masters (at least 3, as redis-cli requires); default 3. */
  masters?: number;
  /** Replicas per master; default 1. */
  replicas?: number;
  /** cluster-node-timeout in ms; default 1000. */
  nodeTimeout?: number;
}

/** A Redis Cluster on loopback; stop() kills every node and removes its files. */
export class TestCluster {
  readonly startupNodes: Array<{ host: '127.0.0.1'; port: number }>;
  private readonly procs = new Map<number, RedisProcess>();
  private readonly admin = new AdminClients();
  private stopped = false;

  private constructor(
    readonly ports: number[],
    private readonly busPorts: number[],
    private readonly dir: string,
    readonly masterCount: number,
    readonly replicasPerMaster: number,
    readonly nodeTimeout: number,
  ) {
    this.startupNodes = ports.map((port) => ({ host: HOST, port }));
  }

  static async start(opts: TestClusterOptions = {}): Promise<TestCluster> {
    const masters = opts.masters ?? 3;
    const replicas = opts.replicas ?? 1;
    const nodeTimeout = opts.nodeTimeout ?? 1000;
    if (masters < 3) throw new Error(`redis-cli --cluster create needs 3 masters, not ${masters}`);
    const count = masters * (1 + replicas);
    // The cluster bus gets a port of its own: the default (port + 10000) may be taken or > 65535.
    const all = await uniquePorts(count * 2);
    const dir = makeTempDir('np-redis-cluster-');
    const cluster = new TestCluster(
      all.slice(0, count),
      all.slice(count),
      dir,
      masters,
      replicas,
      nodeTimeout,
    );
    try {
      await Promise.all(cluster.ports.map((port) => cluster.spawnNode(port)));
      await redisCli(
        [
          '--cluster',
          'create',
          ...cluster.ports.map((p) => `${HOST}:${p}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        30_000,
      );
      await cluster.waitFormed(15_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get urls(): string[] {
    return this.ports.map((port) => `redis://${HOST}:${port}`);
  }

  /** PIDs of the node processes still running. */
  get pids(): number[] {
    return [...this.procs.values()].filter((p) => p.alive).flatMap((p) => p.pid ?? []);
  }

  /** Ports whose node process is running. */
  get livePorts(): number[] {
    return this.ports.filter((port) => this.procs.get(port)?.alive);
  }

  /** The port of the master that serves `key`'s slot, in a live node's view. */
  async masterPortFor(key: string): Promise<number> {
    return this.fromLiveNode(async (port) => {
      const slot = Number(await this.admin.call(port, 'CLUSTER', 'KEYSLOT', key));
      const ranges = (await this.admin.call(port, 'CLUSTER', 'SLOTS')) as Array<
        [number, number, [string, number, ...unknown[]], ...unknown[]]
      >;
      const range = ranges.find(([first, last]) => slot >= first && slot <= last);
      if (!range) throw new Error(`slot ${slot} of ${key} is served by no master (port ${port})`);
      return Number(range[2][1]);
    });
  }

  /** Ports of the masters that serve slots (and are not failed), in a live node's view. */
  async masters(): Promise<number[]> {
    return this.fromLiveNode(async (port) =>
      parseNodes(await this.admin.text(port, 'CLUSTER', 'NODES'))
        .filter((n) => n.flags.includes('master') && !isFailing(n) && n.slots.length > 0)
        .map((n) => n.port)
        .sort((a, b) => a - b),
    );
  }

  /** SIGKILLs the node on `port`; resolves once the process is gone. */
  async kill(port: number): Promise<void> {
    const proc = this.procs.get(port);
    if (!proc) throw new Error(`no cluster node on port ${port}`);
    this.admin.drop(port);
    await proc.kill();
  }

  /** Starts a killed node again with its own nodes-<port>.conf, so it rejoins (as a replica if it was failed over). */
  async restart(port: number): Promise<void> {
    if (!this.ports.includes(port)) throw new Error(`no cluster node on port ${port}`);
    if (this.procs.get(port)?.alive) throw new Error(`cluster node ${port} is still running`);
    await this.spawnNode(port);
  }

  /**
   * Waits until every live node reports cluster_state:ok and, in every live node's view, all 16384
   * slots are served by live, non-failed masters, every live node is connected, and every live
   * replica's link to its master is up.
   */
  async waitHealthy(timeoutMs = 10_000): Promise<void> {
    await waitFor('cluster healthy', timeoutMs, async (seen) => {
      const live = this.livePorts;
      const slotMaps = new Set<string>();
      for (const port of live) {
        const view = await this.nodeView(port, live);
        if (typeof view !== 'object') {
          seen(view);
          return undefined;
        }
        slotMaps.add(view.slotMap);
      }
      if (slotMaps.size > 1) {
        seen(`live nodes disagree about who serves the slots: ${[...slotMaps].join(' | ')}`);
        return undefined;
      }
      return true;
    });
  }

  /** Kills every node, closes the admin connections, removes the files. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.admin.closeAll();
    await Promise.all([...this.procs.values()].map((p) => p.kill()));
    removeTempDir(this.dir);
  }

  private async spawnNode(port: number): Promise<void> {
    const bus = this.busPorts[this.ports.indexOf(port)];
    const proc = await RedisProcess.spawn(`cluster node ${port}`, [
      '--port',
      String(port),
      '--cluster-port',
      String(bus),
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(this.dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(this.nodeTimeout),
      // Let a replica take over however long ago it last heard from its master.
      '--cluster-replica-validity-factor',
      '0',
      // Sync a (re)joining replica at once, not after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
      '--save',
      '',
      '--appendonly',
      'no',
      '--bind',
      HOST,
      '--dir',
      this.dir,
      '--loglevel',
      'notice',
    ]);
    this.procs.set(port, proc);
  }

  /** Runs `fn` against the first live node that answers. */
  private async fromLiveNode<T>(fn: (port: number) => Promise<T>): Promise<T> {
    let last: unknown = new Error('no live cluster node');
    for (const port of this.livePorts) {
      try {
        return await fn(port);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /** The slot map (ranges and their master ports) of a healthy node, or what keeps it from being healthy. */
  private async nodeView(port: number, live: number[]): Promise<{ slotMap: string } | string> {
    const info = infoFields(await this.admin.text(port, 'CLUSTER', 'INFO'));
    if (info.get('cluster_state') !== 'ok') {
      return `node ${port}: cluster_state:${info.get('cluster_state')}`;
    }
    const nodes = parseNodes(await this.admin.text(port, 'CLUSTER', 'NODES'));
    let served = 0;
    const owners: string[] = [];
    for (const n of nodes) {
      const isLive = live.includes(n.port);
      if (isLive && (isFailing(n) || n.link !== 'connected')) {
        return `node ${port} sees ${n.port} as ${n.flags.join(',')} ${n.link}`;
      }
      if (n.slots.length === 0) continue;
      if (!isLive || isFailing(n) || !n.flags.includes('master')) {
        return `node ${port} sees slots on ${n.port} (${n.flags.join(',')}${isLive ? '' : ', dead'})`;
      }
      served += slotCount(n);
      owners.push(...n.slots.map(([a, b]) => `${a}-${b}@${n.port}`));
    }
    if (served !== SLOTS) return `node ${port} sees ${served}/${SLOTS} slots served`;
    const me = nodes.find((n) => n.flags.includes('myself'));
    if (me?.flags.includes('slave')) {
      const link = infoFields(await this.admin.text(port, 'INFO', 'replication')).get(
        'master_link_status',
      );
      if (link !== 'up') return `replica ${port}: master_link_status:${link}`;
    }
    return { slotMap: owners.sort().join(',') };
  }

  /** After creation: every node sees the whole intended shape, and every replica is in sync. */
  private async waitFormed(timeoutMs: number): Promise<void> {
    const replicaCount = this.masterCount * this.replicasPerMaster;
    await waitFor('cluster formed', timeoutMs, async (seen) => {
      const views: string[] = [];
      for (const port of this.ports) {
        const info = infoFields(await this.admin.text(port, 'CLUSTER', 'INFO'));
        const state = `state:${info.get('cluster_state')} slots:${info.get('cluster_slots_assigned')} known:${info.get('cluster_known_nodes')}`;
        if (
          info.get('cluster_state') !== 'ok' ||
          info.get('cluster_slots_assigned') !== String(SLOTS) ||
          info.get('cluster_known_nodes') !== String(this.ports.length)
        ) {
          seen(`node ${port}: ${state}`);
          return undefined;
        }
        const nodes = parseNodes(await this.admin.text(port, 'CLUSTER', 'NODES'));
        const masters = nodes.filter((n) => n.flags.includes('master') && n.slots.length > 0);
        const replicas = nodes.filter((n) => n.flags.includes('slave'));
        const bad = nodes.find((n) => isFailing(n) || n.link !== 'connected');
        if (bad || masters.length !== this.masterCount || replicas.length !== replicaCount) {
          seen(
            `node ${port}: ${masters.length} masters, ${replicas.length} replicas` +
              (bad ? `, ${bad.port} ${bad.flags.join(',')} ${bad.link}` : ''),
          );
          return undefined;
        }
        const perMaster = masters.map((m) => replicas.filter((r) => r.masterId === m.id).length);
        if (perMaster.some((c) => c !== this.replicasPerMaster)) {
          seen(`node ${port}: replicas per master ${perMaster.join('/')}`);
          return undefined;
        }
        views.push(
          nodes
            .map((n) => `${n.id}:${n.masterId ?? 'master'}`)
            .sort()
            .join(' '),
        );
      }
      if (new Set(views).size !== 1) {
        seen('nodes disagree about the roles');
        return undefined;
      }
      for (const port of this.ports) {
        const repl = infoFields(await this.admin.text(port, 'INFO', 'replication'));
        if (repl.get('role') === 'slave' && repl.get('master_link_status') !== 'up') {
          seen(`replica ${port}: master_link_status:${repl.get('master_link_status')}`);
          return undefined;
        }
      }
      return true;
    });
  }
}
