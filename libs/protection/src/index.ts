export { ProtectionModule } from './protection.module';
export type {
  FirstBloodModuleOptions,
  RighterModuleOptions,
  TerminalModuleOptions,
  DebounceModuleOptions,
  ProtectionModuleOptions,
  RedisStoreOptions,
} from './protection-options.interface';
export type { ResolvedProtectionOptions } from './protection-options.factory';
export { PROTECTION_OPTIONS } from './protection.constants';

export type { ProtectionRequest } from './core/http.types';
export type { TrustProxyOption } from './core/client-ip';
export { RequestContext } from './core/request-context';
export {
  ProtectionException,
  type RejectionBody,
  type RejectionContext,
  type RejectionResponseOptions,
} from './core/protection.exception';

export { ProtectionStore, type StoredResponse } from './store/protection-store.interface';
export { MemoryStore } from './store/memory.store';
export { RedisStore } from './store/redis.store';
export { StoreUnavailableError, StoreUnavailableException } from './store/store.errors';
export type { StoreErrorPolicy } from './store/store-failure.policy';

export * from './debounce';
export * from './terminal';
export * from './righter';
export * from './first-blood';
export * from './page';
export * from './double-kill';
export * from './rate-limit';
export * from './overload';
export * from './logging';
