/*
 * The public API: the module, decorators, option types, exceptions, services and helpers.
 * Guards are applied by the decorators and stay internal; store classes for extension are in
 * the `nest-protection/store` and `nest-protection/redis` subpaths.
 */
export { ProtectionModule } from './protection.module';
export type { ProtectionModuleAsyncOptions } from './protection.module-definition';
export type {
  FirstBloodModuleOptions,
  RighterModuleOptions,
  TerminalModuleOptions,
  DebounceModuleOptions,
  ProtectionModuleOptions,
  RedisStoreOptions,
  RedisClientLike,
  RedisClusterLike,
  RedisClusterNode,
  RedisClusterClientOptions,
  RedisClusterConnectionOptions,
  RedisConnectionOptions,
} from './protection-options.interface';

export type { ProtectionRequest } from './core/http.types';
export type { TrustedProxies, TrustProxyOption } from './core/client-ip';
export { ProtectionSession } from './protection.session';
export {
  ProtectionException,
  type RejectionBody,
  type RejectionContext,
  type RejectionResponseOptions,
} from './core/protection.exception';
export { MissingPackageError } from './core/optional-package';
export type {
  ClientIdentityKind,
  ProtectionDecision,
  ProtectionDecisionListener,
  ProtectionDecisionOutcome,
  ProtectionMode,
  ProtectionName,
} from './core/decisions';
export { StoreFullException, StoreUnavailableException } from './store/store.errors';
export type { StoreErrorPolicy } from './store/store-failure.policy';

export * from './debounce';
export * from './terminal';
export * from './righter';
export * from './first-blood';
export * from './page';
export * from './double-kill';
export * from './rate-limit';
export * from './signed';
export * from './overload';
export * from './logging';
