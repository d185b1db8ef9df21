import { OptionReader } from './core/option-reader';
import { BASE_KEYS, resolveBaseOptions, type ResolvedBaseOptions } from './protection-options.base';
import {
  FEATURES,
  type ProtectionModuleOptions,
  type ResolvedFeatureOptions,
} from './protection.features';

export type { ResolvedDebounceOptions } from './debounce/debounce.options';
export type { ResolvedFirstBloodOptions } from './first-blood/first-blood.options';
export type { ResolvedRighterOptions } from './righter/righter.options';
export type { ResolvedTerminalOptions } from './terminal/terminal.options';

/** The options every part of the library reads: validated, defaulted and frozen. */
export type ResolvedProtectionOptions = ResolvedBaseOptions & ResolvedFeatureOptions;

const ROOT_KEYS: readonly string[] = [...BASE_KEYS, ...FEATURES.map((f) => f.key)];

/**
 * The only reader of the raw options: validates every field, fills defaults, freezes.
 * A wrong option fails the boot with a message naming the option, its value and what is allowed.
 */
export function resolveProtectionOptions(
  raw: ProtectionModuleOptions | undefined,
): ResolvedProtectionOptions {
  const r = new OptionReader('ProtectionModule');
  const o = r.object('', raw ?? {}, ROOT_KEYS) as Record<string, unknown>;
  const base = resolveBaseOptions(r, o);
  const features: Record<string, unknown> = {};
  for (const f of FEATURES) features[f.key] = f.resolve(r, o[f.key], base);
  return Object.freeze({ ...base, ...features } as ResolvedProtectionOptions);
}
