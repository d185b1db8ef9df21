import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError, OptionReader } from '../core/option-reader';
import { resolveSignedOptions, resolveSignedRoute } from './signed.options';

/* The `signed` module option and `@Signed(...)` as the boot reads them. */

describe('resolveSignedOptions', () => {
  const r = new OptionReader('ProtectionModule');
  const secret = 's'.repeat(32);

  it('has defaults, and takes a key table with rotation or a resolver', () => {
    const none = resolveSignedOptions(r, undefined);
    assert.equal(none?.keys, null);
    assert.equal(none?.window, 300);
    assert.equal(none?.clockSkew, 5);
    assert.equal(none?.cookie, 'np_sign');
    assert.equal(none?.scriptPath, '/protection/sign.js');
    const table = resolveSignedOptions(r, { keys: { demo: [secret, secret + 'x'] } })?.keys;
    assert.ok(table instanceof Map);
    assert.deepEqual(table.get('demo'), [secret, secret + 'x']);
    const resolver = (): string => secret;
    assert.equal(resolveSignedOptions(r, { keys: resolver })?.keys, resolver);
    assert.equal(resolveSignedOptions(r, false), null);
  });

  it('stops the boot on short secrets, reserved key ids, bad allow entries and unknown keys', () => {
    const fails = (raw: unknown, pattern: RegExp): void =>
      assert.throws(
        () => resolveSignedOptions(r, raw),
        (e: unknown) => e instanceof OptionError && pattern.test(e.message),
      );
    fails(
      { keys: { demo: 'short' } },
      /option "signed\.keys\.demo" is "\(hidden\)"; expected a string of at least 32/,
    );
    fails(
      { keys: { 'page.x': secret } },
      /option "signed\.keys" is "page\.x"; expected key ids .* not starting with "page\."/,
    );
    fails({ keys: 'demo' }, /option "signed\.keys" is "demo"; expected an object/);
    fails(
      { allow: ['10.0.0.0/33'] },
      /option "signed\.allow\[0\]" is "10\.0\.0\.0\/33"; expected a list of addresses, CIDRs/,
    );
    fails({ allow: '127.0.0.1' }, /option "signed\.allow" is "127\.0\.0\.1"/);
    fails({ window: 0 }, /option "signed\.window" is 0; expected a whole number from 1/);
    fails(
      { browser: { scriptPath: 'sign.js' } },
      /option "signed\.browser\.scriptPath" is "sign\.js"/,
    );
    fails({ keyz: {} }, /unknown option "signed\.keyz"/);
  });
});

describe('resolveSignedRoute', () => {
  it('reads browser and allow, and names the decorator in its errors', () => {
    assert.deepEqual(resolveSignedRoute({}), {
      browser: false,
      allow: undefined,
      mode: undefined,
    });
    assert.deepEqual(
      resolveSignedRoute({ browser: true, allow: ['::1/128', { keyid: 'billing' }] }),
      {
        browser: true,
        allow: ['::1/128', { keyid: 'billing' }],
        mode: undefined,
      },
    );
    assert.throws(
      () => resolveSignedRoute({ allow: [{ id: 'x' }] } as never),
      /@Signed: option "allow\[0\]"/,
    );
    assert.throws(
      () => resolveSignedRoute({ browser: 'yes' } as never),
      /@Signed: option "browser" is "yes"; expected true or false/,
    );
  });
});
