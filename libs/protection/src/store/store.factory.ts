import { requireOptional } from '../core/optional-package';
import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from './memory.store';
import type { ProtectionStore } from './protection-store.interface';

/** Builds the configured store; ioredis is loaded only when a Redis store is configured. */
export function createProtectionStore(options: ResolvedProtectionOptions): ProtectionStore {
  if (options.store.kind === 'redis') {
    const { RedisStore } = requireOptional(
      'ioredis',
      'store.redis',
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('./redis.store') as typeof import('./redis.store'),
    );
    return new RedisStore(options.store.settings);
  }
  return new MemoryStore({
    debounceMaxEntries: options.debounce?.maxEntries ?? options.memory.maxEntries,
    onceMaxEntries: options.memory.maxEntries,
  });
}
