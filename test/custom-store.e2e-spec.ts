import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  Query,
  type DynamicModule,
} from '@nestjs/common';
import assert from 'node:assert/strict';
import { after as afterAll, before, describe, it } from 'node:test';
import {
  Debounce,
  DoubleKill,
  ProtectionModule,
  RateLimit,
  type ProtectionModuleOptions,
} from 'nest-protection';
import { MemoryStore, type DebouncePort, type ProtectionStore } from 'nest-protection/store';
import { startingAfter, post, request, sleep } from './helpers/http';
import { PLATFORMS, startModule, TEST_SECRET, type RunningApp } from './helpers/platforms';

/* The `store` option given a store of the app's own: every protection goes through its ports. */

/** Wraps `port` so every call is counted as `<name>.<method>`; `omit` hides methods. */
function counted<T extends object>(
  name: string,
  port: T,
  calls: Map<string, number>,
  omit: readonly string[] = [],
): T {
  return new Proxy(port, {
    get(target, prop) {
      if (typeof prop === 'string' && omit.includes(prop)) return undefined;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${name}.${String(prop)}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A user store: the memory store, counted. `remote` plays a backend shared by instances. */
class CountingStore implements ProtectionStore {
  readonly calls = new Map<string, number>();
  readonly keys: string[] = [];
  private readonly inner = new MemoryStore({ debounceMaxEntries: 1000, onceMaxEntries: 1000 });
  readonly shared: boolean;
  readonly debounce: DebouncePort;
  readonly locks = counted('locks', this.inner.locks, this.calls);
  readonly captcha = counted('captcha', this.inner.captcha, this.calls);
  readonly rateLimit: ProtectionStore['rateLimit'];
  readonly records = counted('records', this.inner.records, this.calls);

  constructor(remote: boolean) {
    this.shared = remote;
    // A local store answers rate-limit steps at once; a remote one only with promises.
    this.rateLimit = counted(
      'rateLimit',
      this.inner.rateLimit,
      this.calls,
      remote ? ['applySync'] : [],
    );
    const debounce = counted(
      'debounce',
      this.inner.debounce,
      this.calls,
      remote ? ['claimSync'] : [],
    );
    const keys = this.keys;
    // A remote store gets the hashed keys, and only promises.
    this.debounce = remote
      ? Object.assign(Object.create(debounce) as DebouncePort, {
          localKeys: false,
          claim(key: string, token: string, windowMs: number, follow: boolean) {
            keys.push(key);
            return debounce.claim(key, token, windowMs, follow);
          },
        })
      : debounce;
  }

  count(key: string): number {
    return this.calls.get(key) ?? 0;
  }

  async init(): Promise<void> {
    this.calls.set('init', this.count('init') + 1);
  }

  async close(): Promise<void> {
    this.calls.set('close', this.count('close') + 1);
    await this.inner.close();
  }
}

let seq = 0;

@Injectable()
class JobService {
  @DoubleKill({ key: (id: string) => id })
  async run(id: string, ms: number): Promise<string> {
    await sleep(ms);
    return `ran ${id}`;
  }
}

@Controller('cs')
class CustomStoreController {
  constructor(private readonly jobs: JobService) {}

  @Post('reuse')
  @HttpCode(200)
  @Debounce({ waiting: 1000, reuse: true })
  async reuse(): Promise<string> {
    await sleep(100);
    return `reuse-${++seq}`;
  }

  @Post('plain')
  @HttpCode(200)
  @Debounce({ waiting: 1000 })
  plain(): string {
    return `plain-${++seq}`;
  }

  @Get('limited')
  @RateLimit({ limit: 2, window: 60_000, name: 'cs' })
  limited(): string {
    return 'ok';
  }

  @Get('job')
  job(@Query('id') id = 'x', @Query('ms') ms = '300'): Promise<string> {
    return this.jobs.run(id, Number(ms));
  }
}

@Module({})
class CustomStoreModule {
  static with(options: ProtectionModuleOptions): DynamicModule {
    return {
      module: CustomStoreModule,
      imports: [ProtectionModule.forRoot(options)],
      controllers: [CustomStoreController],
      providers: [JobService],
    };
  }
}

for (const platform of PLATFORMS) {
  for (const remote of [false, true]) {
    describe(`a user store (${remote ? 'remote: hashed keys, promises' : 'local: raw keys, synchronous claims'}) on ${platform}`, () => {
      let app: RunningApp;
      let store: CountingStore;
      before(async () => {
        store = new CountingStore(remote);
        // A store shared by instances needs the module secret, as Redis does.
        app = await startModule(CustomStoreModule.with({ store, secret: TEST_SECRET }), platform);
      });
      afterAll(async () => {
        await app.close();
        assert.equal(store.count('close'), 1, 'the module closes the store');
      });

      it('is opened at boot', () => {
        assert.equal(store.count('init'), 1);
      });

      it('debounces through its debounce port', async () => {
        const p = `?p=${remote}-${platform}`;
        const [leader, follower] = await Promise.all([
          post(`${app.url}/cs/plain${p}`),
          startingAfter(20, () => post(`${app.url}/cs/plain${p}`)),
        ]);
        assert.equal(leader.status, 200);
        assert.equal(follower.status, 208, follower.text);
        assert.equal(store.count(remote ? 'debounce.claim' : 'debounce.claimSync'), 2);
        if (remote)
          assert.ok(
            store.keys.every((k) => /^\/cs\/plain\|[\w-]+/.test(k) && !k.includes('\0')),
            store.keys.join(),
          );
      });

      it("answers a reusing follower with its leader's response through settle and await", async () => {
        const p = `?r=${remote}-${platform}`;
        const [leader, follower] = await Promise.all([
          post(`${app.url}/cs/reuse${p}`),
          startingAfter(30, () => post(`${app.url}/cs/reuse${p}`)),
        ]);
        assert.equal(follower.text, leader.text);
        assert.equal(follower.headers.get('x-debounce'), 'reused');
        assert.ok(store.count('debounce.settle') >= 1);
        assert.ok(store.count('debounce.await') >= 1);
      });

      it('rate-limits through its rateLimit port', async () => {
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await request(`${app.url}/cs/limited`)).status);
        assert.deepEqual(statuses, [200, 200, 429]);
        // The local store is asked synchronously, the remote one through promises.
        assert.equal(store.count(remote ? 'rateLimit.apply' : 'rateLimit.applySync'), 3);
        assert.equal(store.count(remote ? 'rateLimit.applySync' : 'rateLimit.apply'), 0);
      });

      it('locks @DoubleKill methods through its locks port, and keeps progress in its records', async () => {
        const id = `${remote}-${platform}`;
        const [first, second] = await Promise.all([
          request(`${app.url}/cs/job?id=${id}`),
          startingAfter(50, () => request(`${app.url}/cs/job?id=${id}`)),
        ]);
        assert.equal(first.status, 200);
        assert.equal(first.text, `ran ${id}`);
        assert.equal(second.status, 202, second.text);
        assert.equal(second.json().code, 'DOUBLE_KILLED');
        assert.equal(store.count('locks.acquire'), 2);
        assert.equal(store.count('locks.release'), 1);
        assert.ok(store.count('records.put') >= 2, 'progress saved when the run starts and stops');
      });
    });
  }
}

describe('a user store that lacks a port', () => {
  it('fails the boot with the option message', async () => {
    const broken = {
      ...new MemoryStore(),
      locks: { acquire: async () => ({ acquired: false, elapsedMs: 0 }) },
    };
    await assert.rejects(
      startModule(
        CustomStoreModule.with({ store: broken as unknown as ProtectionStore }),
        'fastify',
      ),
      /ProtectionModule: option "store\.locks\.renew" is undefined; expected a function\./,
    );
  });

  it('checks every operation of every port', async () => {
    await assert.rejects(
      startModule(
        CustomStoreModule.with({ store: { debounce: {} } as unknown as ProtectionStore }),
        'express',
      ),
      /option "store\.debounce\.claim" is undefined; expected a function\./,
    );
  });
});
