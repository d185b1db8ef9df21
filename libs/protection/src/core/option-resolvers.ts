import type { ProtectionMode } from './decisions';
import type { RejectionResponseOptions } from './protection.exception';
import type { OptionReader, ResolvedRejectionOptions, StoreErrorPolicy } from './option-reader';

/** A module section's resolver: `false` switches the feature off, else `build` reads its keys. */
export function sectionResolver<K extends string, T>(
  path: string,
  known: readonly K[],
  build: (r: OptionReader, v: Partial<Record<K, unknown>>) => T,
): (r: OptionReader, raw: unknown) => T | null {
  return (r, raw) => {
    const v = r.section(path, raw, known);
    return v ? build(r, v) : null;
  };
}

/** The module options of a protection that only rejects: its answer, and its store policy. */
export interface RejectionModuleOptions {
  /** Replaces the protection's answer (status, body, content type). */
  response?: RejectionResponseOptions;
  /** While the store is down: `'open'` lets requests through, `'closed'` answers 503. */
  onStoreError?: StoreErrorPolicy;
  /**
   * `'shadow'`: the protection decides and counts as usual, reports what it would refuse
   * (outcome `shadow`) and lets the request through; a decorator's own `mode` wins.
   * @default 'enforce'
   */
  mode?: ProtectionMode;
}

/** The resolver of a `RejectionModuleOptions` section, with the feature's default policy. */
export function rejectionResolver(
  path: string,
  policy: StoreErrorPolicy,
): (r: OptionReader, raw: unknown) => ResolvedRejectionOptions | null {
  return (r, raw) => r.rejection(path, raw, policy);
}
