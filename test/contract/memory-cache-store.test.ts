import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../src/adapters/memory/memory-cache-store.js';
import { ManualClock } from '../support/manual-clock.js';
import { cacheStoreContract } from './cache-store.contract.js';

cacheStoreContract('MemoryCacheStore (LRU)', async () => {
  const clock = new ManualClock();
  const store = new MemoryCacheStore({ maxMemory: 0, maxEntries: 0, cleanupIntervalMs: 0 }, clock, evictionPolicies.lru!);
  await store.start();
  return { store, clock, cleanup: () => store.stop() };
});
