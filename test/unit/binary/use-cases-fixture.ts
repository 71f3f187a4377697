import { createUseCases } from '../../../src/application/create-use-cases.js';
import { CacheContext } from '../../../src/application/cache-context.js';
import { CasSequence } from '../../../src/application/cas-sequence.js';
import { PrefixStats } from '../../../src/application/prefix-stats.js';
import { ServerStats } from '../../../src/application/server-stats.js';
import type { UseCases } from '../../../src/application/use-cases.js';
import type { CacheStore } from '../../../src/domain/ports/cache-store.js';
import type { Clock } from '../../../src/domain/ports/clock.js';
import { evictionPolicies } from '../../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../../src/adapters/memory/memory-cache-store.js';
import { ManualClock } from '../../support/manual-clock.js';

export interface Fixture {
  useCases: UseCases;
  memory: MemoryCacheStore;
  clock: ManualClock;
}

/**
 * The use-cases wired as src/infrastructure/container.ts wires them, over a
 * memory store and a hand-moved clock. `wrap` may put a decorator around the
 * store (e.g. one that answers with Promises, like the disk tier).
 */
export function buildUseCases(options: { itemSizeMax?: number; maxMemory?: number; wrap?: (s: CacheStore) => CacheStore } = {}): Fixture {
  const clock = new ManualClock();
  const memory = new MemoryCacheStore({ maxMemory: options.maxMemory ?? 64 * 1024 * 1024, maxEntries: 0, cleanupIntervalMs: 0 }, clock as Clock, evictionPolicies.lru!);
  const store = options.wrap ? options.wrap(memory) : memory;
  const context = new CacheContext(store, clock, new CasSequence(), new ServerStats(), new PrefixStats(':'), {
    itemSizeMax: options.itemSizeMax ?? 1024 * 1024,
    processStartMs: clock.now() - 1000,
    version: '1.6.18',
  });
  const useCases: UseCases = createUseCases(
    context,
    {
      settings: () => [
        ['maxbytes', 64 * 1024 * 1024],
        ['auth_enabled_sasl', 'no'],
      ],
      maxConnections: () => 1024,
      extraStats: () => [],
    },
    {
      setMemoryLimit: (bytes) => {
        memory.resize(bytes);
        return true;
      },
    },
  );
  return { useCases, memory, clock };
}

/** A store decorator whose every answer arrives as a Promise (as a disk tier's would). */
export function asyncStore(inner: CacheStore): CacheStore {
  const later = <T>(v: T | Promise<T>): Promise<T> => new Promise((resolve, reject) => setImmediate(() => Promise.resolve(v).then(resolve, reject)));
  return {
    name: 'async-' + inner.name,
    get: (key) => later(inner.get(key)),
    set: (item) => later(inner.set(item)),
    delete: (key) => later(inner.delete(key)),
    touch: (key, exptime) => later(inner.touch(key, exptime)),
    clear: () => later(inner.clear()),
    keys: () => inner.keys(),
    stats: () => inner.stats(),
  };
}
