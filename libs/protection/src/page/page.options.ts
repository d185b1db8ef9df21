import { OptionReader, optionKeys } from '../core/option-reader';
import type { PageDefaultOptions, ResolvedPageSettings } from './page-options.interface';

const KEYS = optionKeys<PageDefaultOptions>()(
  'page size sort pageAlias sizeAlias sortAlias maxSize sortable strict',
);
const NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;
export const MAX_PAGE = 2_147_483_647;

/** Page options at `path` ('page' in the module, '' on `@PageDefault`), checked and frozen. */
function readPageOptions(r: OptionReader, path: string, value: unknown): PageDefaultOptions {
  const v = r.object(path, value, KEYS);
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  const out: Record<string, unknown> = {};
  if (v.page !== undefined) out.page = r.int(at('page'), v.page, 1, 1, MAX_PAGE);
  if (v.size !== undefined) out.size = r.int(at('size'), v.size, 20, 1, 1_000_000);
  if (v.maxSize !== undefined) out.maxSize = r.int(at('maxSize'), v.maxSize, 1000, 1, 1_000_000);
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
  return Object.freeze(out);
}

/** Module option `page`: global defaults; `false` ignores them (built-in defaults apply). */
export function resolvePageOptions(r: OptionReader, raw: unknown): PageDefaultOptions | null {
  return raw === false ? null : readPageOptions(r, 'page', raw);
}

/** `@PageDefault(options)`, checked when the class loads. */
export function resolvePageRoute(options: unknown): PageDefaultOptions {
  return readPageOptions(new OptionReader('@PageDefault'), '', options);
}

/** Decorator options over module options over built-in defaults. */
export function mergePageSettings(
  base: ResolvedPageSettings,
  ...layers: Array<PageDefaultOptions | undefined>
): ResolvedPageSettings {
  let out: ResolvedPageSettings = base;
  for (const layer of layers) {
    if (!layer) continue;
    out = { ...out };
    for (const [k, v] of Object.entries(layer))
      if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return Object.freeze(out);
}
