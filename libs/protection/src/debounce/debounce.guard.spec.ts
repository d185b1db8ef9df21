import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reflector } from '@nestjs/core';
import { fakeContext, fakeRequest, fakeResponse } from '../core/fake-context.spec';
import { resolveProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from '../protection.store';
import { Debounce } from './debounce.decorator';
import { DebouncedException } from './debounce.exception';
import { DebounceGuard } from './debounce.guard';

class Orders {
  @Debounce({ waiting: 1000 })
  create(): void {}
}

const T0 = 1_800_000_000_000;

describe('DebounceGuard', () => {
  it('the first request of a burst leads; a duplicate in the window gets 208 with the seconds left; after the window a new leader', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const guard = new DebounceGuard(
      new Reflector(),
      resolveProtectionOptions({}),
      new MemoryStore(),
    );
    const call = (url = '/orders?p=1'): { ok: boolean | Error; retryAfter: string | undefined } => {
      const res = fakeResponse();
      try {
        return {
          ok: guard.canActivate(fakeContext(Orders, 'create', fakeRequest(url), res)) as boolean,
          retryAfter: undefined,
        };
      } catch (err) {
        return { ok: err as Error, retryAfter: res.headers['retry-after'] };
      }
    };
    assert.equal(call().ok, true, 'leader (decided synchronously on the memory store)');
    t.mock.timers.tick(300);
    const follower = call();
    assert.ok(follower.ok instanceof DebouncedException);
    assert.equal(follower.ok.getStatus(), 208);
    assert.equal(follower.retryAfter, '1');
    assert.equal(call('/orders?p=2').ok, true, 'another query is another key');
    t.mock.timers.tick(700);
    assert.equal(call().ok, true, 'the window (1000 ms from the leader) is over');
  });

  it('runs undebounced when the module switches it off', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const guard = new DebounceGuard(
      new Reflector(),
      resolveProtectionOptions({ debounce: false }),
      new MemoryStore(),
    );
    for (let i = 0; i < 3; i++) {
      assert.equal(
        guard.canActivate(fakeContext(Orders, 'create', fakeRequest('/orders'), fakeResponse())),
        true,
      );
    }
  });
});
