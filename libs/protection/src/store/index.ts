/*
 * `nest-protection/store`: the store contract and the in-memory implementation, for tests and
 * extensions. The module builds its store from the `store` option; nothing here is needed to
 * use the protections.
 */
export {
  ProtectionStore,
  LEADER_CLAIM,
  type StoredResponse,
  type DebounceOutcome,
  type DebounceClaim,
  type CaptchaQuest,
  type CaptchaQuestResult,
  type CaptchaCheckResult,
  type LockAcquisition,
  type RateLimitPolicy,
  type RateLimitDecision,
} from './protection-store.interface';
export { MemoryStore } from './memory.store';
export { StoreUnavailableError, StoreUnavailableException } from './store.errors';
