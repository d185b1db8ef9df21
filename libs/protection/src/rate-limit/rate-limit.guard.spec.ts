import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { fakeContext, fakeRequest, fakeResponse } from '../core/fake-context.spec';
import { TooManyRequestsException } from '../core/too-many-requests.exception';
import { resolveProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from '../protection.store';
import { RateLimit } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';

class Orders {
  @RateLimit({ limit: 2, window: 10_000, name: 'burst' })
  create(): void {}
}

const T0 = 1_800_000_000_000;

describe('RateLimitGuard', () => {
  it('lets `limit` requests through per sliding window, then 429 with Retry-After until the oldest leaves', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const guard = new RateLimitGuard(resolveProtectionOptions({}), new MemoryStore());
    const call = async (): Promise<{ ok: boolean | Error; headers: Record<string, string> }> => {
      const res = fakeResponse();
      const ctx = fakeContext(Orders, 'create', fakeRequest('/orders'), res);
      const ok = await (async () => guard.canActivate(ctx))().catch((err: Error) => err);
      return { ok, headers: res.headers };
    };
    const first = await call();
    assert.equal(first.ok, true);
    assert.equal(first.headers['ratelimit-policy'], '"burst";q=2;w=10');
    assert.equal(first.headers['ratelimit'], '"burst";r=1;t=10');
    t.mock.timers.tick(4_000);
    assert.equal((await call()).ok, true);
    const refused = await call();
    assert.ok(refused.ok instanceof TooManyRequestsException);
    assert.equal(refused.ok.getStatus(), 429);
    assert.equal(refused.headers['retry-after'], '6', 'the first request leaves the window in 6 s');
    t.mock.timers.tick(6_000);
    assert.equal((await call()).ok, true, 'the window slid past the first request');
  });

  it('counts clients apart: another address has its own budget', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const guard = new RateLimitGuard(resolveProtectionOptions({}), new MemoryStore());
    const from = (ip: string): Promise<boolean | Error> =>
      (async () =>
        guard.canActivate(
          fakeContext(Orders, 'create', fakeRequest('/orders', {}, ip), fakeResponse()),
        ))().catch((e: Error) => e);
    assert.equal(await from('198.51.100.1'), true);
    assert.equal(await from('198.51.100.1'), true);
    assert.ok((await from('198.51.100.1')) instanceof TooManyRequestsException);
    assert.equal(await from('198.51.100.2'), true);
  });

  it('decides without a promise on the memory store, and refuses with a rejected promise', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const guard = new RateLimitGuard(resolveProtectionOptions({}), new MemoryStore());
    const ctx = (): ExecutionContext =>
      fakeContext(Orders, 'create', fakeRequest('/orders'), fakeResponse());
    assert.equal(guard.canActivate(ctx()), true);
    assert.equal(guard.canActivate(ctx()), true);
    // Returned as a rejected promise, not thrown: a function that always throws stays unoptimized.
    const refused = guard.canActivate(ctx());
    assert.ok(refused instanceof Promise);
    await assert.rejects(refused, TooManyRequestsException);
  });
});
