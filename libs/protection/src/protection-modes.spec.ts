import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDebounceRoute } from './debounce/debounce.options';
import { resolveDoubleKillMethod } from './double-kill/double-kill.options';
import { resolveFirstBloodRoute } from './first-blood/first-blood.options';
import { resolveRateLimitRule } from './rate-limit/rate-limit.options';
import { planFor } from './rate-limit/rate-limit.plan';
import { resolveRighterRoute } from './righter/righter.options';
import { resolveSignedRoute } from './signed/signed.options';

/* `mode` on every decorator: validated when the class loads, with the shared option messages. */

const EXPECTED = `expected 'enforce' or 'shadow'.`;

describe('decorator option mode', () => {
  it('is undefined unless given (the module mode applies), else enforce or shadow', () => {
    assert.equal(resolveDebounceRoute({}).mode, undefined);
    assert.equal(resolveDebounceRoute({ mode: 'shadow' }).mode, 'shadow');
    assert.equal(resolveDoubleKillMethod({ mode: 'enforce' }, 'Jobs.run').mode, 'enforce');
    assert.equal(resolveFirstBloodRoute({ mode: 'shadow' }).mode, 'shadow');
    assert.equal(resolveRighterRoute({ mode: 'shadow' }).mode, 'shadow');
    assert.equal(resolveRighterRoute(true).mode, undefined);
    assert.equal(resolveRateLimitRule({ limit: 1, window: 1000, mode: 'shadow' }).mode, 'shadow');
    assert.equal(resolveSignedRoute({ mode: 'shadow' }).mode, 'shadow');
  });

  it('names the decorator, the option, the value and what is allowed', () => {
    const bad = 'shadowed' as never;
    assert.throws(() => resolveDebounceRoute({ mode: bad }), {
      name: 'ProtectionOptionsError',
      message: `@Debounce: option "mode" is "shadowed"; ${EXPECTED}`,
    });
    assert.throws(() => resolveDoubleKillMethod({ mode: bad }, 'Jobs.run'), {
      message: `@DoubleKill on Jobs.run: option "mode" is "shadowed"; ${EXPECTED}`,
    });
    assert.throws(() => resolveFirstBloodRoute({ mode: bad }), {
      message: `@FirstBlood: option "mode" is "shadowed"; ${EXPECTED}`,
    });
    assert.throws(() => resolveRighterRoute({ mode: bad }), {
      message: `@Righter: option "mode" is "shadowed"; ${EXPECTED}`,
    });
    assert.throws(() => resolveRateLimitRule({ limit: 1, window: 1000, mode: bad }), {
      message: `@RateLimit: option "mode" is "shadowed"; ${EXPECTED}`,
    });
    assert.throws(() => resolveSignedRoute({ mode: false as never }), {
      message: `@Signed: option "mode" is false; ${EXPECTED}`,
    });
  });
});

describe('rate-limit plan with shadow rules', () => {
  const rule = (name: string, mode?: 'enforce' | 'shadow') =>
    resolveRateLimitRule({ limit: 5, window: 1000, name, ...(mode ? { mode } : {}) });

  it('counts a shadow rule in a step of its own, so its refusal never refuses the others', () => {
    const plan = planFor([rule('a'), rule('b', 'shadow'), rule('c')], 'auto');
    assert.ok(plan);
    assert.deepEqual(
      plan.groups.map((g) => [g.rules.map((r) => r.name), g.shadow]),
      [
        [['a', 'c'], false],
        [['b'], true],
      ],
    );
    assert.equal(plan.mode, 'enforce', 'one enforced rule: a store failure follows onStoreError');
  });

  it('follows the module mode unless a rule names its own', () => {
    const plan = planFor([rule('a'), rule('b', 'enforce')], 'auto', 'shadow');
    assert.ok(plan);
    assert.deepEqual(
      plan.groups.map((g) => g.shadow),
      [true, false],
    );
    const all = planFor([rule('a'), rule('b')], 'auto', 'shadow');
    assert.equal(all?.mode, 'shadow');
    assert.equal(all?.groups.length, 1);
  });
});
