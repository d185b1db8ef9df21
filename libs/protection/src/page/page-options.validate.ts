import type { PageDefaultOptions, ResolvedPageSettings } from './page-options.interface';

const KNOWN = ['page', 'size', 'sort', 'pageAlias', 'sizeAlias', 'sortAlias', 'maxSize', 'sortable', 'strict'] as const;
const NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;
export const MAX_PAGE = 2_147_483_647;

/**
 * Checks page options (module option `page` or `@PageDefault(...)`); `where` prefixes the
 * option names in messages. Throws an Error naming the option, its value and what is allowed.
 */
export function validatePageOptions(where: string, value: unknown): PageDefaultOptions {
  const fail = (name: string, v: unknown, allowed: string): never => {
    throw new Error(`${where}: option "${name}" is ${JSON.stringify(v) ?? String(v)}; expected ${allowed}.`);
  };
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(all)', value, 'an options object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new Error(`${where}: unknown option "${key}"; known options here: ${KNOWN.join(', ')}.`);
    }
  }
  const int = (name: string, min: number, max: number): void => {
    const v = o[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
      fail(name, v, `a whole number from ${min} to ${max}`);
    }
  };
  int('page', 1, MAX_PAGE);
  int('size', 1, 1_000_000);
  int('maxSize', 1, 1_000_000);
  if (o.sort !== undefined && (typeof o.sort !== 'string' || o.sort.length > 512)) fail('sort', o.sort, 'a string of at most 512 characters');
  for (const name of ['pageAlias', 'sizeAlias', 'sortAlias', 'sortable']) {
    const v = o[name];
    if (v !== undefined && (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && NAME.test(x)))) {
      fail(name, v, 'a non-empty list of names');
    }
  }
  if (o.strict !== undefined && typeof o.strict !== 'boolean') fail('strict', o.strict, 'true or false');
  const size = (o.size as number | undefined) ?? 20;
  const maxSize = o.maxSize as number | undefined;
  if (maxSize !== undefined && size > maxSize) fail('size', size, `at most maxSize (${maxSize})`);
  return o as PageDefaultOptions;
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
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return Object.freeze(out);
}
