import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lz4jsCompressor } from '../../src/adapters/compression/lz4js-compressor.js';
import { evictionPolicies } from '../../src/adapters/eviction/policy-registry.js';
import { LEVEL_STORE_DEFAULTS, LevelCacheStore } from '../../src/adapters/level/level-cache-store.js';
import { MemoryCacheStore } from '../../src/adapters/memory/memory-cache-store.js';
import { NodeScheduler } from '../../src/adapters/scheduler/node-scheduler.js';
import { TieredCacheStore } from '../../src/application/tiered-cache-store.js';
import { silentLogger } from '../../src/domain/ports/logger.js';
import { ManualClock } from '../support/manual-clock.js';
import { cacheStoreContract } from './cache-store.contract.js';

async function levelStore(clock: ManualClock) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rat-l2-contract-'));
  const store = new LevelCacheStore({ ...LEVEL_STORE_DEFAULTS, dataDir, sweepIntervalMs: 0 }, clock, new Lz4jsCompressor(), silentLogger);
  await store.start();
  return {
    store,
    cleanup: async () => {
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

cacheStoreContract('LevelCacheStore (LZ4)', { fits: false, warmUp: true, budgetBytes: 0 }, async () => {
  const clock = new ManualClock();
  return { ...(await levelStore(clock)), clock };
});

// The server's store with the disk tier on: a 1 MiB memory tier over LevelDB, as the container wires it.
cacheStoreContract('TieredCacheStore (memory over LevelDB)', { fits: false, warmUp: false, budgetBytes: 0 }, async () => {
  const clock = new ManualClock();
  const disk = await levelStore(clock);
  const memory = new MemoryCacheStore({ maxMemory: 1024 * 1024, maxEntries: 0, cleanupIntervalMs: 0 }, clock, evictionPolicies.s3fifo!);
  await memory.start();
  const store = new TieredCacheStore(
    memory,
    disk.store,
    { largeValueThreshold: 512 * 1024, durableAcks: false, warmBytes: 0 },
    silentLogger,
    new NodeScheduler(),
    clock,
  );
  await store.start();
  return {
    store,
    clock,
    cleanup: async () => {
      await store.stop();
      await memory.stop();
      await disk.cleanup();
    },
  };
});
