/*
 * IANA time zone matching: exact names case-insensitively, else a unique partial name
 * (`tokyo` -> `Asia/Tokyo`, `new york` -> `America/New_York`). Unknown -> undefined, so the
 * caller falls back to its default, never to GMT.
 */

let zones: { names: readonly string[]; byLower: Map<string, string> } | undefined;

function table(): { names: readonly string[]; byLower: Map<string, string> } {
  if (!zones) {
    const names = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
    zones = { names, byLower: new Map(names.map((n) => [n.toLowerCase(), n])) };
  }
  return zones;
}

const MAX_ZONE_INPUT = 64;

export function matchTimeZone(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const input = value.trim();
  if (input === '' || input.length > MAX_ZONE_INPUT || !/^[A-Za-z0-9_+\-/ ]+$/.test(input))
    return undefined;
  const { byLower } = table();
  const lower = input.toLowerCase();
  const exact = byLower.get(lower) ?? byLower.get(lower.replace(/ /g, '_'));
  if (exact) return exact;
  try {
    // Aliases Intl knows but does not list (e.g. `US/Pacific`, `GMT`).
    return new Intl.DateTimeFormat('en', { timeZone: input }).resolvedOptions().timeZone;
  } catch {
    // not a zone Intl accepts: try a partial name below
  }
  const needle = lower.replace(/ /g, '_');
  if (needle.length < 3) return undefined;
  // The lower-case names are kept once: a client naming unknown zones costs no case conversion.
  let hit: string | undefined;
  for (const [lowerName, name] of byLower) {
    if (!lowerName.includes(needle)) continue;
    if (hit !== undefined) return undefined;
    hit = name;
  }
  return hit;
}

/** The server's own zone: the default when a request names none or an unknown one. */
export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
