import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lz4jsCompressor } from '../../src/adapters/compression/lz4js-compressor.js';
import { LEVEL_STORE_DEFAULTS, LevelCacheStore } from '../../src/adapters/level/level-cache-store.js';
import { silentLogger } from '../../src/domain/ports/logger.js';
import { ManualClock } from '../support/manual-clock.js';
import { cacheStoreContract } from './cache-store.contract.js';

cacheStoreContract('LevelCacheStore (LZ4)', async () => {
  const clock = new ManualClock();
  const dataDir = await mkdtemp(join(tmpdir(), 'rat-l2-contract-'));
  const store = new LevelCacheStore(
    { ...LEVEL_STORE_DEFAULTS, dataDir, sweepIntervalMs: 0 },
    clock,
    new Lz4jsCompressor(),
    silentLogger,
  );
  await store.start();
  return {
    store,
    clock,
    cleanup: async () => {
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
