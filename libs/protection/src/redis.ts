/*
 * `nest-protection/redis`: the Redis store class, for tests and extensions. Importing it loads
 * ioredis (install it: `npm install ioredis`). Apps only configure `store: { redis }`.
 */
export { RedisStore } from './redis.store';
export type {
  RedisStoreSettings,
  RedisStoreOptions,
  RedisClientLike,
  RedisClusterLike,
  RedisClusterConnectionOptions,
  RedisConnectionOptions,
} from './store/redis-options';
