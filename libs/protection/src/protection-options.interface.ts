export type { ProtectionModuleOptions } from './protection.features';
export type { BaseModuleOptions } from './protection-options.base';
export type { DebounceModuleOptions } from './debounce/debounce.options';
export type { TerminalModuleOptions } from './terminal/terminal.options';
export type { RighterModuleOptions } from './righter/righter.options';
export type { FirstBloodModuleOptions } from './first-blood/first-blood.options';
export type { DoubleKillModuleOptions } from './double-kill/double-kill.options';
export type { RateLimitModuleOptions } from './rate-limit/rate-limit.options';
export type { OverloadModuleOptions } from './overload/overload.options';
export type {
  RedisClientLike,
  RedisClusterLike,
  RedisClusterNode,
  RedisClusterClientOptions,
  RedisClusterConnectionOptions,
  RedisConnectionOptions,
  RedisStoreOptions,
} from './store/redis-options';
