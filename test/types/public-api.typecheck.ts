/**
 * A type test of the public API: `npm run build` (tsc) compiles this file as
 * a consumer's code, so a change that breaks a documented use, or that lets
 * a misuse through, fails the build. It is never run. Each `@ts-expect-error`
 * line must stay an error: if it compiles, tsc reports the unused directive.
 */
import {
  ConfigError,
  RatMemCache,
  RatMemCacheBuilder,
  RatMemcachedServer,
  loadSettings,
  type CacheKey,
  type CacheStats,
  type L1Config,
  type L2Config,
  type Logger,
  type Overrides,
  type Settings,
  type UseCases,
} from '../../src/index.js';

export async function consumer(): Promise<void> {
  const l1: L1Config = { maxMemory: 64 * 1024 * 1024, evictionStrategy: 'lru' };
  const l2: L2Config = { enableL2Cache: true, dataDir: './cache-data', syncWrites: false };
  const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, isLevelEnabled: () => false } as unknown as Logger;
  const cache: RatMemCache = await new RatMemCacheBuilder()
    .l1Config(l1)
    .l2Config(l2)
    .ttlConfig({ defaultTtl: 60 })
    .compressionConfig({ enableLz4: true })
    .performanceConfig({ itemSizeMax: 2 * 1024 * 1024 })
    .withLogger(logger)
    .build();

  const key: CacheKey = Buffer.from('k');
  await cache.set('greeting', 'hello');
  await cache.set(key, Buffer.from([1, 2, 3]), 42);
  await cache.setWithTtl('short', 'v', 10);
  const value: Buffer | undefined = await cache.get('greeting');
  const has: boolean = await cache.containsKey('greeting');
  const keys: string[] = await cache.keys();
  const removed: boolean = await cache.delete('greeting');
  const many: Map<string, Buffer> = await cache.getMany(['a', Buffer.from('b')]);
  await cache.setMany(
    [
      ['a', '1'],
      [Buffer.from('b'), Buffer.from('2')],
    ],
    30,
  );
  const stats: CacheStats = cache.getCacheStats();
  const rate: number = cache.getHitRate();
  await cache.clear();
  await cache.shutdown();
  void [value, has, keys, removed, many, stats.hits, stats.raw['cmd_get'], rate];

  // @ts-expect-error a value is a string or a Buffer
  await cache.set('k', 42);
  // @ts-expect-error keys are strings or Buffers
  await cache.get(7);
  // @ts-expect-error get returns a Promise: the value is not there synchronously
  const sync: Buffer = cache.get('k');
  // @ts-expect-error option names are camelCase, not the TOML keys
  new RatMemCacheBuilder().l1Config({ max_memory: 1 });
  // @ts-expect-error the cache is built by the builder, not constructed
  new RatMemCache();
  // @ts-expect-error nor with a token of one's own: only the builder holds it
  new RatMemCache(Symbol('RatMemCacheBuilder'), loadSettings(), logger, 0);
  // @ts-expect-error stats are read-only numbers of a snapshot, not methods
  stats.hits();
  void sync;

  const overrides: Overrides = { server: { port: 0, host: '127.0.0.1' } };
  const settings: Settings = loadSettings([], overrides);
  const server = new RatMemcachedServer(settings, logger);
  await server.start();
  const port: number = server.port;
  // The server's use-cases (what its listeners serve) have an exported type.
  const counters: UseCases['counters'] = server.useCases.counters;
  void counters.cmd_get;
  await server.stop();
  void port;
  // @ts-expect-error settings come from loadSettings, not a partial object
  new RatMemcachedServer({ server: { port: 0 } }, logger);

  try {
    loadSettings([], { l1: { max_memory: -1 } });
  } catch (err) {
    if (err instanceof ConfigError) void err.problems.join('\n');
  }
}
