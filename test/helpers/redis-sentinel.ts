import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminClients,
  infoFields,
  makeTempDir,
  RedisProcess,
  removeTempDir,
  uniquePorts,
  waitFor,
} from './redis-cluster';

/*
 * A real Redis Sentinel setup of this test's own on loopback: one master, one replica, three
 * sentinels (quorum 2). stop() kills every process and removes the files.
 */

const HOST = '127.0.0.1';
const NAME = 'mymaster';

/** A reply of SENTINEL replicas / sentinels (flat field/value arrays) as maps. */
function records(reply: unknown): Array<Map<string, string>> {
  return (reply as string[][]).map((flat) => {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
    return fields;
  });
}

export interface TestSentinelOptions {
  /** sentinel down-after-milliseconds; default 1000. */
  downAfterMs?: number;
  /** sentinel failover-timeout; default 5000. */
  failoverTimeoutMs?: number;
}

export class TestSentinel {
  readonly name = NAME;
  readonly sentinels: Array<{ host: '127.0.0.1'; port: number }>;
  /** The two data servers by port (which one is master changes with failovers). */
  private readonly servers = new Map<number, RedisProcess>();
  private readonly sentinelProcs: RedisProcess[] = [];
  private readonly admin = new AdminClients();
  private stopped = false;

  private constructor(
    private readonly dir: string,
    readonly firstMasterPort: number,
    readonly firstReplicaPort: number,
    sentinelPorts: number[],
  ) {
    this.sentinels = sentinelPorts.map((port) => ({ host: HOST, port }));
  }

  static async start(opts: TestSentinelOptions = {}): Promise<TestSentinel> {
    const downAfterMs = opts.downAfterMs ?? 1000;
    const failoverTimeoutMs = opts.failoverTimeoutMs ?? 5000;
    const [masterPort = 0, replicaPort = 0, ...sentinelPorts] = await uniquePorts(5);
    const dir = makeTempDir('np-redis-sentinel-');
    const setup = new TestSentinel(dir, masterPort, replicaPort, sentinelPorts);
    try {
      await setup.spawnServer(masterPort);
      await setup.spawnServer(replicaPort, ['--replicaof', HOST, String(masterPort)]);
      // Sentinels learn the replicas from the master's INFO: have the replica attached first.
      await setup.waitReplicaLinked(replicaPort, masterPort, 10_000);
      await Promise.all(
        sentinelPorts.map((port) => setup.spawnSentinel(port, downAfterMs, failoverTimeoutMs)),
      );
      await setup.waitSentinelsReady(masterPort, replicaPort, 15_000);
    } catch (err) {
      await setup.stop();
      throw err;
    }
    return setup;
  }

  /** PIDs of all processes (servers and sentinels) still running. */
  get pids(): number[] {
    return [...this.servers.values(), ...this.sentinelProcs]
      .filter((p) => p.alive)
      .flatMap((p) => p.pid ?? []);
  }

  /** The master's port as one (the first answering) sentinel reports it. */
  async masterPort(): Promise<number> {
    let last: unknown = new Error('no sentinel answers');
    for (const { port } of this.sentinels) {
      try {
        return await this.masterPortFrom(port);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /**
   * SENTINEL FAILOVER, then waits until every sentinel reports the new master, the new master's
   * ROLE is master and the old master is its replica with the link up. Returns the new port.
   */
  async failover(timeoutMs = 15_000): Promise<number> {
    const oldPort = await this.masterPort();
    const sentinel = this.sentinels[0]?.port ?? 0;
    // NOGOODSLAVE until the sentinel has fresh INFO of the replica; INPROG while one runs.
    await waitFor(`SENTINEL FAILOVER accepted by ${sentinel}`, 5_000, async (seen) => {
      try {
        await this.admin.call(sentinel, 'SENTINEL', 'FAILOVER', NAME);
        return true;
      } catch (err) {
        seen(err instanceof Error ? err.message : String(err));
        return undefined;
      }
    });
    return waitFor(`failover away from ${oldPort}`, timeoutMs, async (seen) => {
      const reported = await Promise.all(this.sentinels.map((s) => this.masterPortFrom(s.port)));
      const newPort = reported[0] ?? oldPort;
      if (newPort === oldPort || reported.some((p) => p !== newPort)) {
        seen(`sentinels report master ${reported.join(', ')}`);
        return undefined;
      }
      const role = (await this.admin.call(newPort, 'ROLE')) as unknown[];
      if (role[0] !== 'master') {
        seen(`new master ${newPort} has ROLE ${String(role[0])}`);
        return undefined;
      }
      const linked = await this.replicaLinkProblem(oldPort, newPort);
      if (linked) {
        seen(linked);
        return undefined;
      }
      return newPort;
    });
  }

  /** SIGKILLs the current master's process; returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const proc = this.servers.get(port);
    if (!proc) throw new Error(`sentinels report master ${port}, which is none of this setup's`);
    this.admin.drop(port);
    await proc.kill();
    return port;
  }

  /** Kills the sentinels, then the servers; removes the files. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.admin.closeAll();
    await Promise.all(this.sentinelProcs.map((p) => p.kill()));
    await Promise.all([...this.servers.values()].map((p) => p.kill()));
    removeTempDir(this.dir);
  }

  private async masterPortFrom(sentinel: number): Promise<number> {
    const addr = (await this.admin.call(sentinel, 'SENTINEL', 'get-master-addr-by-name', NAME)) as
      [string, string] | null;
    if (!addr) throw new Error(`sentinel ${sentinel} does not know ${NAME}`);
    return Number(addr[1]);
  }

  private async spawnServer(port: number, extra: string[] = []): Promise<void> {
    const proc = await RedisProcess.spawn(`redis-server ${port}`, [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      // Sync a (re)attached replica at once, not after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
      '--loglevel',
      'notice',
      ...extra,
    ]);
    this.servers.set(port, proc);
  }

  private async spawnSentinel(
    port: number,
    downAfterMs: number,
    failoverMs: number,
  ): Promise<void> {
    const file = join(this.dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${this.dir}`,
        `sentinel monitor ${NAME} ${HOST} ${this.firstMasterPort} 2`,
        `sentinel down-after-milliseconds ${NAME} ${downAfterMs}`,
        `sentinel failover-timeout ${NAME} ${failoverMs}`,
        `sentinel parallel-syncs ${NAME} 1`,
        '',
      ].join('\n'),
    );
    // A sentinel never prints 'Ready to accept connections'; it listens before it logs +monitor.
    const proc = await RedisProcess.spawn(
      `sentinel ${port}`,
      [file, '--sentinel', '--loglevel', 'notice'],
      '+monitor master',
    );
    this.sentinelProcs.push(proc);
    // Redis 7 timings (defaults: INFO every 10 s, hello every 2 s, and a replica that claims to
    // be master is converted only 4 hello periods after it did): shorter, so that sentinels meet
    // in a second and an old master follows the new one within seconds. No TILT on a busy VM.
    try {
      await this.admin.call(
        port,
        'SENTINEL',
        'DEBUG',
        'info-period',
        500,
        'publish-period',
        250,
        'tilt-trigger',
        10_000,
      );
    } catch {
      // Before Redis 7: the default timings (slower, still correct).
    }
  }

  /** null once `replica` reports `master_link_status:up` to `master`, else what it reports. */
  private async replicaLinkProblem(replica: number, master: number): Promise<string | null> {
    const role = (await this.admin.call(replica, 'ROLE')) as unknown[];
    if (role[0] !== 'slave' || Number(role[2]) !== master) {
      return `${replica} has ROLE ${role.slice(0, 3).map(String).join(' ')}`;
    }
    const link = infoFields(await this.admin.text(replica, 'INFO', 'replication')).get(
      'master_link_status',
    );
    return link === 'up' ? null : `replica ${replica}: master_link_status:${link}`;
  }

  private async waitReplicaLinked(
    replica: number,
    master: number,
    timeoutMs: number,
  ): Promise<void> {
    await waitFor(`replica ${replica} linked to ${master}`, timeoutMs, async (seen) => {
      const problem = await this.replicaLinkProblem(replica, master);
      if (problem) seen(problem);
      return problem ? undefined : true;
    });
  }

  /** Every sentinel knows the master, the replica (link ok) and the two other sentinels. */
  private async waitSentinelsReady(
    master: number,
    replica: number,
    timeoutMs: number,
  ): Promise<void> {
    await waitFor('sentinels ready', timeoutMs, async (seen) => {
      for (const { port } of this.sentinels) {
        const reported = await this.masterPortFrom(port);
        const replicas = records(await this.admin.call(port, 'SENTINEL', 'replicas', NAME));
        const peers = records(await this.admin.call(port, 'SENTINEL', 'sentinels', NAME));
        const r = replicas[0];
        const ok =
          reported === master &&
          replicas.length === 1 &&
          r?.get('port') === String(replica) &&
          r.get('master-link-status') === 'ok' &&
          !/down|disconnected/.test(r.get('flags') ?? '') &&
          peers.length === 2 &&
          peers.every((p) => !/down|disconnected/.test(p.get('flags') ?? ''));
        if (!ok) {
          seen(
            `sentinel ${port}: master ${reported}, replicas [${replicas
              .map((x) => `${x.get('port')} ${x.get('flags')} link ${x.get('master-link-status')}`)
              .join('; ')}], ${peers.length} other sentinels`,
          );
          return undefined;
        }
      }
      return true;
    });
  }
}
