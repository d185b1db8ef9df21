/*
 * `nest-protection/store`: the store contract (one port per protection) and the in-memory
 * store, for tests and for your own store (pass it as the `store` module option). Nothing here
 * is needed to use the protections.
 */
export { ProtectionStore, MemoryStore, type MemoryStoreOptions } from './protection.store';
export {
  LEADER_CLAIM,
  type DebouncePort,
  type DebounceClaim,
  type DebounceOutcome,
  type StoredResponse,
} from './debounce/store/debounce.port';
export type { LockPort, LockAcquisition } from './double-kill/store/locks.port';
export type {
  CaptchaPort,
  CaptchaQuest,
  CaptchaQuestResult,
  CaptchaCheckResult,
} from './first-blood/store/captcha.port';
export type {
  RateLimitPort,
  RateLimitPolicy,
  RateLimitDecision,
} from './store/rate-limit/rate-limit.port';
export type { RecordPort } from './store/records.port';
export {
  StoreFullError,
  StoreFullException,
  StoreUnavailableError,
  StoreUnavailableException,
} from './store/store.errors';
