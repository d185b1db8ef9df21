import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OptionError, OptionReader } from '../core/option-reader';
import { budgetPolicy } from './page-budget.options';
import { buildPageQuery } from './page-query.builder';
import { resolvePageOptions, resolvePageRoute, routePageSettings } from './page.options';

const route = (options: unknown) => () => resolvePageRoute(options);

describe('@PageDefault budget and maxOffset options', () => {
  it('takes a budget of positive whole rows and a window of at least one second', () => {
    assert.deepEqual(resolvePageRoute({ budget: { rows: 50, windowMs: 60_000 } }).budget, {
      rows: 50,
      windowMs: 60_000,
    });
    assert.deepEqual(resolvePageRoute({ budget: { rows: 1, windowMs: 1000 } }).budget, {
      rows: 1,
      windowMs: 1000,
    });
    assert.ok(Object.isFrozen(resolvePageRoute({ budget: { rows: 1, windowMs: 1000 } }).budget));
  });

  it('names the option, the value and what to give instead', () => {
    assert.throws(route({ budget: { rows: 0, windowMs: 60_000 } }), {
      name: 'ProtectionOptionsError',
      message:
        '@PageDefault: option "budget.rows" is 0; expected a positive whole number of rows (one client may read per window) from 1 to 1000000.',
    });
    assert.throws(route({ budget: { rows: 2e6, windowMs: 60_000 } }), /"budget.rows" is 2000000/);
    assert.throws(route({ budget: { rows: '50', windowMs: 60_000 } }), /"budget.rows" is "50"/);
    assert.throws(route({ budget: { windowMs: 60_000 } }), /"budget.rows" is undefined/);
    assert.throws(route({ budget: { rows: 50, windowMs: 999 } }), {
      message:
        '@PageDefault: option "budget.windowMs" is 999; expected a whole number of ms (at least one second, at most 31 days) from 1000 to 2678400000.',
    });
    assert.throws(route({ budget: { rows: 50, windowMs: 1500.5 } }), /"budget.windowMs" is 1500.5/);
    assert.throws(route({ budget: { rows: 50 } }), /"budget.windowMs" is undefined/);
    assert.throws(route({ budget: null }), /option "budget" is null; expected an object/);
    assert.throws(route({ budget: { rows: 5, windowMs: 1000, per: 'ip' } }), {
      message: '@PageDefault: unknown option "budget.per"; known options here: rows, windowMs.',
    });
    assert.throws(route({ size: 60, budget: { rows: 50, windowMs: 60_000 } }), {
      message:
        '@PageDefault: option "size" is 60; expected at most budget.rows (50): no page would ever fit.',
    });
  });

  it('takes mode beside a budget only, naming the option, the value and the fix', () => {
    const budget = { rows: 50, windowMs: 60_000 };
    assert.equal(resolvePageRoute({ budget, mode: 'shadow' }).mode, 'shadow');
    assert.equal(resolvePageRoute({ budget }).mode, undefined);
    assert.throws(route({ budget, mode: 'dry-run' }), {
      message: `@PageDefault: option "mode" is "dry-run"; expected 'enforce' or 'shadow'.`,
    });
    assert.throws(route({ mode: 'shadow' }), {
      message: `@PageDefault: option "mode" is "shadow"; expected a budget beside it: mode is the scraping budget's (set budget, or drop mode).`,
    });
  });

  it('takes maxOffset as a non-negative whole number, on the decorator or the module', () => {
    assert.equal(resolvePageRoute({ maxOffset: 0 }).maxOffset, 0);
    assert.equal(resolvePageRoute({ maxOffset: 1000 }).maxOffset, 1000);
    assert.throws(route({ maxOffset: -1 }), {
      message:
        '@PageDefault: option "maxOffset" is -1; expected a whole number from 0 to 1000000000000.',
    });
    assert.throws(route({ maxOffset: 10.5 }), /"maxOffset" is 10.5/);
    const r = new OptionReader('ProtectionModule');
    assert.equal(resolvePageOptions(r, { maxOffset: 500 }).defaults.maxOffset, 500);
    assert.throws(() => resolvePageOptions(r, { maxOffset: -5 }), /option "page.maxOffset" is -5/);
  });

  it('module option page: no budget, onStoreError local by default', () => {
    const r = new OptionReader('ProtectionModule');
    assert.deepEqual(resolvePageOptions(r, undefined), {
      defaults: {},
      onStoreError: 'local',
      mode: 'enforce',
    });
    assert.deepEqual(resolvePageOptions(r, false), {
      defaults: {},
      onStoreError: 'local',
      mode: 'enforce',
    });
    assert.deepEqual(resolvePageOptions(r, { size: 30, onStoreError: 'closed' }), {
      defaults: { size: 30 },
      onStoreError: 'closed',
      mode: 'enforce',
    });
    assert.equal(resolvePageOptions(r, { mode: 'shadow' }).mode, 'shadow');
    assert.throws(() => resolvePageOptions(r, { mode: 'off' }), {
      message: `ProtectionModule: option "page.mode" is "off"; expected 'enforce' or 'shadow'.`,
    });
    assert.throws(
      () => resolvePageOptions(r, { budget: { rows: 5, windowMs: 1000 } }),
      (err: unknown) =>
        err instanceof OptionError &&
        err.message.includes('option "page.budget"') &&
        err.message.includes('set it with @PageDefault({ budget })'),
    );
    assert.throws(() => resolvePageOptions(r, { onStoreError: 'later' }), /"page.onStoreError"/);
  });
});

describe('budgeted route settings', () => {
  it('no page is longer than the budget: maxSize, and the default size, are lowered to rows', () => {
    const s = routePageSettings(
      { size: 30 },
      resolvePageRoute({ budget: { rows: 25, windowMs: 1000 } }),
    );
    assert.equal(s.maxSize, 25);
    assert.equal(s.size, 25);
    assert.equal(buildPageQuery('/x?size=999', s).size, 25);
    const plain = routePageSettings({ size: 30 }, resolvePageRoute({}));
    assert.equal(plain.maxSize, 1000);
    assert.equal(plain.size, 30);
  });

  it('counts rows with the two-bucket sliding-window counter', () => {
    assert.deepEqual(budgetPolicy({ rows: 50, windowMs: 60_000 }), {
      name: 'page-budget',
      algorithm: 'window',
      limit: 50,
      windowMs: 60_000,
      burst: 50,
    });
  });
});

describe('maxOffset', () => {
  const s = routePageSettings(undefined, resolvePageRoute({ size: 10, maxOffset: 1000 }));
  it('lets a page end at maxOffset and refuses one beyond it, naming page, size and limit', () => {
    assert.equal(buildPageQuery('/x?page=100', s).offset, 990);
    assert.throws(() => buildPageQuery('/x?page=101', s), {
      code: 'PAGE_TOO_DEEP',
      message: 'page 101 of size 10 reaches row 1010, beyond maxOffset 1000',
    });
    assert.throws(
      () => buildPageQuery('/x?page=2&size=600', s),
      /page 2 of size 600 reaches row 1200/,
    );
    assert.throws(() => buildPageQuery('/x?page=2147483647&size=1000', s), /beyond maxOffset 1000/);
  });
  it('maxOffset 0 refuses every page', () => {
    const zero = routePageSettings(undefined, resolvePageRoute({ maxOffset: 0 }));
    assert.throws(() => buildPageQuery('/x', zero), /page 1 of size 20 reaches row 20/);
  });
});
