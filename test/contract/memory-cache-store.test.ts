import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../src/adapters/memory/memory-cache-store.js';
import { schema } from '../../src/infrastructure/config.js';
import { asyncStore } from '../support/async-store.js';
import { ManualClock } from '../support/manual-clock.js';
import { cacheStoreContract } from './cache-store.contract.js';

const MIB = 1024 * 1024;

async function memoryStore(maxMemory: number, policy: string) {
  const clock = new ManualClock();
  const store = new MemoryCacheStore({ maxMemory, maxEntries: 0, cleanupIntervalMs: 0 }, clock, evictionPolicies[policy]!);
  await store.start();
  return { store, clock, cleanup: () => store.stop() };
}

cacheStoreContract('MemoryCacheStore (LRU, unbounded)', { fits: true, warmUp: false, budgetBytes: 0 }, () => memoryStore(0, 'lru'));

// The server's default: a byte budget and the default eviction policy from the configuration schema.
const defaultPolicy = schema.l1.eviction_strategy.default;
cacheStoreContract(`MemoryCacheStore (${defaultPolicy}, 4 MiB budget)`, { fits: true, warmUp: false, budgetBytes: 4 * MIB }, () =>
  memoryStore(4 * MIB, defaultPolicy),
);

// Every answer a Promise, as a disk tier's: callers (and the contract) must not rely on synchronous results.
cacheStoreContract('asynchronous wrapper of MemoryCacheStore', { fits: true, warmUp: false, budgetBytes: 0 }, async () => {
  const inner = await memoryStore(0, 'lru');
  return { ...inner, store: asyncStore(inner.store) };
});
