import { OptionReader, optionKeys } from '../core/option-reader';
import type {
  PageDefaultOptions,
  PageModuleOptions,
  ResolvedPageModuleOptions,
  ResolvedPageSettings,
} from './page-options.interface';
import { PAGE_BUILTIN } from './page-options.interface';
import { readBudget } from './page-budget.options';

const KEYS = optionKeys<PageDefaultOptions>()(
  'page size sort pageAlias sizeAlias sortAlias maxSize sortable strict maxOffset',
);
const ROUTE_KEYS = [...KEYS, 'budget', 'mode'] as const;
const MODULE_KEYS = [...KEYS, 'onStoreError', 'mode'] as const;
const NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;
export const MAX_PAGE = 2_147_483_647;
export const MAX_OFFSET = 1e12;

/** Page options at `path` ('page' in the module, '' on `@PageDefault`), checked and frozen. */
function readPageOptions(
  r: OptionReader,
  path: string,
  v: Partial<Record<(typeof KEYS)[number], unknown>>,
): PageDefaultOptions {
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  const out: Record<string, unknown> = {};
  if (v.page !== undefined) out.page = r.int(at('page'), v.page, 1, 1, MAX_PAGE);
  if (v.size !== undefined) out.size = r.int(at('size'), v.size, 20, 1, 1_000_000);
  if (v.maxSize !== undefined) out.maxSize = r.int(at('maxSize'), v.maxSize, 1000, 1, 1_000_000);
  if (v.maxOffset !== undefined)
    out.maxOffset = r.int(at('maxOffset'), v.maxOffset, 0, 0, MAX_OFFSET);
  if (v.sort !== undefined) {
    if (typeof v.sort !== 'string' || v.sort.length > 512)
      r.fail(at('sort'), v.sort, 'a string of at most 512 characters');
    out.sort = v.sort;
  }
  for (const name of ['pageAlias', 'sizeAlias', 'sortAlias', 'sortable'] as const) {
    const list = v[name];
    if (list === undefined) continue;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((x) => typeof x === 'string' && NAME.test(x))
    ) {
      r.fail(at(name), list, 'a non-empty list of names');
    }
    out[name] = Object.freeze([...(list as string[])]);
  }
  if (v.strict !== undefined) out.strict = r.bool(at('strict'), v.strict, false);
  const size = (out.size as number | undefined) ?? 20;
  const maxSize = out.maxSize as number | undefined;
  if (maxSize !== undefined && size > maxSize)
    r.fail(at('size'), size, `at most maxSize (${maxSize})`);
  return out;
}

/** Module option `page`: global defaults (`false` ignores them) and the budgets' store policy. */
export function resolvePageOptions(r: OptionReader, raw: unknown): ResolvedPageModuleOptions {
  if (raw !== false && typeof raw === 'object' && raw !== null && 'budget' in raw)
    r.fail(
      'page.budget',
      raw.budget,
      'no budget here: a budget is per route, set it with @PageDefault({ budget })',
    );
  const v = r.object('page', raw === false ? undefined : raw, MODULE_KEYS);
  return Object.freeze({
    defaults: Object.freeze(raw === false ? {} : readPageOptions(r, 'page', v)),
    onStoreError: r.policy('page.onStoreError', v.onStoreError, 'local'),
    mode: r.mode('page.mode', v.mode) ?? 'enforce',
  });
}

/** `@PageDefault(options)`, checked when the class loads. */
export function resolvePageRoute(options: unknown): PageDefaultOptions {
  const r = new OptionReader('@PageDefault');
  const v = r.object('', options, ROUTE_KEYS);
  const out = readPageOptions(r, '', v);
  if (v.budget !== undefined) {
    const budget = readBudget(r, v.budget);
    if (out.size !== undefined && out.size > budget.rows)
      r.fail('size', out.size, `at most budget.rows (${budget.rows}): no page would ever fit`);
    out.budget = budget;
  }
  const mode = r.mode('mode', v.mode);
  if (mode !== undefined) {
    if (out.budget === undefined)
      r.fail(
        'mode',
        mode,
        "a budget beside it: mode is the scraping budget's (set budget, or drop mode)",
      );
    out.mode = mode;
  }
  return Object.freeze(out);
}

const SETTINGS = Object.keys(PAGE_BUILTIN) as ReadonlyArray<keyof ResolvedPageSettings>;

/** Decorator options over module options over built-in defaults. */
export function mergePageSettings(
  base: ResolvedPageSettings,
  ...layers: Array<PageDefaultOptions | PageModuleOptions | undefined>
): ResolvedPageSettings {
  let out: ResolvedPageSettings = base;
  for (const layer of layers) {
    if (!layer) continue;
    out = { ...out };
    for (const k of SETTINGS) {
      const v = (layer as Record<string, unknown>)[k];
      if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return Object.freeze(out);
}

/**
 * The settings a route's `PageQuery` is built with: decorator over module over built-in; with a
 * budget, no page is longer than `budget.rows` (`maxSize` is lowered to it, and the default
 * size with it), so every page can fit the budget.
 */
export function routePageSettings(
  moduleDefaults: PageDefaultOptions | undefined,
  route: PageDefaultOptions,
): ResolvedPageSettings {
  const s = mergePageSettings(PAGE_BUILTIN, moduleDefaults, route);
  const rows = route.budget?.rows;
  if (rows === undefined || (s.maxSize <= rows && s.size <= rows)) return s;
  const maxSize = Math.min(s.maxSize, rows);
  return Object.freeze({ ...s, maxSize, size: Math.min(s.size, maxSize) });
}
