/*
 * Locale tags from query, Accept-Language or cookie. `en_US`, `en-us` and `en-US` all give
 * `en-US`; a browser list is ranked by q-value and keeps its region.
 */

const MAX_INPUT = 256;

/** A BCP 47 tag in canonical case, or undefined for anything malformed. */
export function canonicalLocale(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const tag = value.trim().replace(/_/g, '-');
  if (tag === '' || tag === '*' || tag.length > 35 || !/^[A-Za-z0-9-]+$/.test(tag))
    return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The highest-q tag of an Accept-Language list (first wins on ties); q=0 means "not this". */
export function parseAcceptLanguage(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_INPUT * 4) return undefined;
  let best: string | undefined;
  let bestQ = 0;
  for (const part of header.split(',').slice(0, 32)) {
    const [rawTag = '', ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!(q > bestQ) || q > 1) continue;
    const tag = canonicalLocale(rawTag);
    if (!tag) continue;
    best = tag;
    bestQ = q;
  }
  return best;
}
