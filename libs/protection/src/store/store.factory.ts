import type { ResolvedProtectionOptions } from '../protection-options.factory';
import { MemoryStore } from './memory.store';
import type { ProtectionStore } from './protection-store.interface';
import { RedisStore } from './redis.store';

/** Builds the configured store; Redis only loads when asked for. */
export function createProtectionStore(options: ResolvedProtectionOptions): ProtectionStore {
  if (options.store.kind === 'redis') return new RedisStore(options.store.settings);
  return new MemoryStore({
    debounceMaxEntries: options.debounce?.maxEntries ?? options.memory.maxEntries,
    onceMaxEntries: options.memory.maxEntries,
  });
}
