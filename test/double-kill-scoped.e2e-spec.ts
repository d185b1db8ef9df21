import assert from 'node:assert/strict';
import { after as afterAll, describe, it } from 'node:test';
import { Controller, Get, Injectable, Module, Query, Scope } from '@nestjs/common';
import { DoubleKill, DoubleKillException, ProtectionModule } from 'nest-protection';
import { request } from './helpers/http';
import { PLATFORMS, startModule, type RunningApp } from './helpers/platforms';

/* @DoubleKill holds on providers Nest makes per request or per consumer, not only on singletons. */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

@Injectable({ scope: Scope.REQUEST })
class PerRequestPayments {
  @DoubleKill({ key: (id: string) => id, principal: false })
  async pay(id: string): Promise<string> {
    await sleep(300);
    return `paid ${id}`;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientPayments {
  @DoubleKill({ key: (id: string) => id, principal: false })
  async pay(id: string): Promise<string> {
    await sleep(300);
    return `paid ${id}`;
  }
}

@Controller('scoped')
class ScopedController {
  constructor(
    private readonly perRequest: PerRequestPayments,
    private readonly transient: TransientPayments,
  ) {}

  @Get('request')
  async request(@Query('id') id: string): Promise<string | { killed: string }> {
    return this.perRequest
      .pay(id)
      .catch((err: unknown) =>
        err instanceof DoubleKillException ? { killed: err.code } : Promise.reject(err),
      );
  }

  @Get('transient')
  async transientCall(@Query('id') id: string): Promise<string | { killed: string }> {
    return this.transient
      .pay(id)
      .catch((err: unknown) =>
        err instanceof DoubleKillException ? { killed: err.code } : Promise.reject(err),
      );
  }
}

@Module({
  imports: [ProtectionModule.forRoot()],
  controllers: [ScopedController],
  providers: [PerRequestPayments, TransientPayments],
})
class ScopedModule {}

for (const platform of PLATFORMS) {
  describe(`@DoubleKill on request-scoped and transient providers on ${platform}`, () => {
    const apps: RunningApp[] = [];
    afterAll(() => Promise.all(apps.map((a) => a.close())));

    for (const kind of ['request', 'transient'] as const) {
      it(`a ${kind}-scoped provider is locked like a singleton: the concurrent second call is killed`, async () => {
        const app = await startModule(ScopedModule, platform);
        apps.push(app);
        const id = `${kind}-${platform}-${Date.now()}`;
        const [a, b] = await Promise.all([
          request(`${app.url}/scoped/${kind}?id=${id}`),
          (async () => {
            await sleep(50);
            return request(`${app.url}/scoped/${kind}?id=${id}`);
          })(),
        ]);
        assert.equal(a.text, `paid ${id}`);
        assert.deepEqual(b.json(), { killed: 'DOUBLE_KILLED' });
        const after = await request(`${app.url}/scoped/${kind}?id=${id}`);
        assert.equal(after.text, `paid ${id}`, 'released when the first call ended');
      });
    }
  });
}
