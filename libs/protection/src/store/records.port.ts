/**
 * Small records shared by several protections: single-use marks (Righter `once`, FirstBlood's
 * free passes), JSON records (DoubleKill progress) and the generated shared secrets. Keys are
 * namespaced by their caller (`righter:<jti>`, `progress:<key>`).
 */
export interface RecordPort {
  /** Marks `key` as used for `ttlMs`; true the first time, false on every later call. */
  consumeOnce(key: string, ttlMs: number): Promise<boolean>;

  /** Writes `value` under `key` for `ttlMs`. */
  put(key: string, value: string, ttlMs: number): Promise<void>;

  /** Reads the value under `key`, or null. */
  get(key: string): Promise<string | null>;

  /**
   * Returns the secret stored under `name`, storing `candidate` first when there is none, so
   * every instance sharing the store ends up with the same secret. It never expires.
   */
  sharedSecret(name: string, candidate: string): Promise<string>;
}
