import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptchaMemory } from './captcha.memory';
import type { CaptchaQuest } from './captcha.port';

const T0 = 1_800_000_000_000;
const quest = (over: Partial<CaptchaQuest> = {}): CaptchaQuest => ({
  ticket: 't',
  route: '/r',
  guess: '',
  code: 'ABCD',
  codeTtlMs: 1000,
  retries: 2,
  imagesPerMinute: 3,
  stateTtlMs: 10_000,
  ...over,
});

describe('CaptchaMemory', () => {
  it('expires a code after its TTL', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const captcha = new CaptchaMemory(100);
    assert.equal((await captcha.quest(quest())).result, 'new');
    assert.equal(
      (await captcha.quest(quest({ guess: 'ABCD', code: 'WXYZ' }))).result,
      'same',
      'pre-check of the live code',
    );
    t.mock.timers.tick(1000);
    assert.equal(await captcha.check('t', '/r', 'ABCD', 10_000), 'expired');
    assert.equal(await captcha.check('t', '/r', 'ABCD', 10_000), 'none', 'dropped');
  });

  it('consumes a right code; voids the code after its retries', async () => {
    const captcha = new CaptchaMemory(100);
    await captcha.quest(quest());
    assert.equal(await captcha.check('t', '/r', 'ABCD', 10_000), 'ok');
    assert.equal(await captcha.check('t', '/r', 'ABCD', 10_000), 'none', 'consumed');
    await captcha.quest(quest({ code: 'EFGH' }));
    assert.equal(await captcha.check('t', '/r', 'nope', 10_000), 'wrong');
    assert.equal(await captcha.check('t', '/r', 'nope', 10_000), 'void');
    assert.equal(await captcha.check('t', '/r', 'EFGH', 10_000), 'none');
  });

  it('limits images per ticket per minute, then refills', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: T0 });
    const captcha = new CaptchaMemory(100);
    for (let i = 0; i < 3; i++) assert.equal((await captcha.quest(quest())).result, 'new');
    t.mock.timers.tick(20_000);
    assert.deepEqual(await captcha.quest(quest()), { result: 'limited', retryAfterMs: 40_000 });
    t.mock.timers.tick(40_000);
    assert.equal((await captcha.quest(quest())).result, 'new');
  });
});
