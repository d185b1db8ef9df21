/**
 * Small records shared by several protections: single-use marks (Righter `once`, FirstBlood's
 * free passes) and JSON records (DoubleKill progress). Keys are
 * namespaced by their caller (`righter:<jti>`, `progress:<digest of client and key>`).
 */
export interface RecordPort {
  /** Marks `key` as used for `ttlMs`; true the first time, false on every later call. */
  consumeOnce(key: string, ttlMs: number): Promise<boolean>;

  /** Writes `value` under `key` for `ttlMs`. */
  put(key: string, value: string, ttlMs: number): Promise<void>;

  /** Reads the value under `key`, or null. */
  get(key: string): Promise<string | null>;
}
