import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError, OptionReader } from '../core/option-reader';
import { resolveLoggingOptions } from './logging.options';

/* The `logging` module option as the boot reads it. */

describe('resolveLoggingOptions', () => {
  const r = new OptionReader('ProtectionModule');
  const when = (): null => null;

  it("takes format 'text' (the default) or 'json'", () => {
    assert.equal(resolveLoggingOptions(r, { when })?.format, 'text');
    assert.equal(resolveLoggingOptions(r, { when, format: 'json' })?.format, 'json');
    assert.equal(resolveLoggingOptions(r, false), null);
  });

  it('stops the boot on another format or an unknown key', () => {
    assert.throws(
      () => resolveLoggingOptions(r, { when, format: 'JSON' }),
      (e: unknown) =>
        e instanceof OptionError &&
        /option "logging\.format" is "JSON"; expected 'text' or 'json'/.test(e.message),
    );
    assert.throws(
      () => resolveLoggingOptions(r, { when, fromat: 'json' }),
      /unknown option "logging\.fromat"/,
    );
  });
});
