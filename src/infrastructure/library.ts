import { silentLogger, type Logger } from '../domain/ports/logger.js';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import { StoreMode } from '../application/storage.js';
import { UseCases } from '../application/use-cases.js';
import type { StatPair } from '../application/stats.js';
import { loadSettings, type Overrides, type Settings } from './config.js';
import { createContainer, StoreLifecycles } from './container.js';

/** Keys: strings (stored as their UTF-8 bytes) or raw bytes; 1 to 250 bytes. */
export type CacheKey = string | Buffer;

/** Memory tier options (the `[l1]` section of the server's configuration). Omitted fields keep their defaults. */
export interface L1Config {
  /** Byte budget of the memory tier (default 64 MiB); items are evicted to stay within it. */
  maxMemory?: number;
  /** Most items held in memory; 0 = no limit (the default). */
  maxEntries?: number;
  /** Eviction policy: `lru`, `lfu`, `fifo`, `hybrid`, `sieve` or `s3fifo` (the default); see docs/eviction.md. */
  evictionStrategy?: string;
}

/** Disk tier options (the `[l2]` section). The library is memory-only unless `enableL2Cache` is true. */
export interface L2Config {
  /** Turns the LevelDB tier on: every item is then also kept on disk and survives a restart. */
  enableL2Cache?: boolean;
  /** Directory of the LevelDB database (created when missing). */
  dataDir?: string;
  /** Drops what is on disk when the cache starts. */
  clearOnStartup?: boolean;
  /** Byte budget of the disk tier; the oldest items are dropped beyond it. */
  maxDiskSize?: number;
  /** Acknowledge a write only once it is on disk (slower, nothing lost on a crash). */
  syncWrites?: boolean;
  /** LevelDB's write buffer size in bytes (0 = LevelDB's default). */
  writeBufferSize?: number;
  /** LevelDB's block cache size in bytes (0 = LevelDB's default). */
  blockCacheSize?: number;
}

/** Expiry options (the `[ttl]` section). */
export interface TtlConfig {
  /** TTL in seconds that `set` and `setMany` use when none is given (0 = never expires, the default). */
  defaultTtl?: number;
  /** Seconds between sweeps that remove expired items. */
  cleanupInterval?: number;
}

/** LZ4 compression of values on disk (the `[compression]` section). */
export interface CompressionConfig {
  /** Compress new values written to disk. */
  enableLz4?: boolean;
  /** Values shorter than this many bytes are stored uncompressed. */
  compressionThreshold?: number;
}

/** Size limits (the `[performance]` and `[server]` sections). */
export interface PerformanceConfig {
  /** Values of at least this many bytes go to disk without taking room in memory (with the disk tier on). */
  largeValueThreshold?: number;
  /** Largest item accepted (key + value + overhead), memcached's `-I` (default 1 MiB). */
  itemSizeMax?: number;
}

/** Counters of an embedded cache. */
export interface CacheStats {
  /** Gets that found a value. */
  hits: number;
  /** Gets that found nothing. */
  misses: number;
  /** Values stored (every set, counted as memcached counts `cmd_set`). */
  sets: number;
  /** Deletes that removed a value. */
  deletes: number;
  /** Items held now. */
  items: number;
  /** Bytes charged for the items held in memory. */
  bytes: number;
  /** Items removed to make room. */
  evictions: number;
  /** Every general `stats` field, as the server would report it. */
  raw: Record<string, string | number>;
}

/** The builder's proof that it is the one constructing a RatMemCache (never exported). */
const BUILDER: unique symbol = Symbol('RatMemCacheBuilder');

/**
 * Builds an embedded cache. The library default is memory-only; call
 * `l2Config({ enableL2Cache: true, dataDir })` for persistence.
 */
export class RatMemCacheBuilder {
  private readonly overrides: Overrides = {
    l2: { enable_l2_cache: false },
    logging: { enable_logging: false },
  };
  private defaultTtl = 0;
  private logger: Logger = silentLogger;

  /** Sets the memory tier's options. */
  l1Config(c: L1Config): this {
    return this.put('l1', { max_memory: c.maxMemory, max_entries: c.maxEntries, eviction_strategy: c.evictionStrategy });
  }

  /** Sets the disk tier's options; `{ enableL2Cache: true, dataDir }` turns persistence on. */
  l2Config(c: L2Config): this {
    return this.put('l2', {
      enable_l2_cache: c.enableL2Cache,
      data_dir: c.dataDir,
      clear_on_startup: c.clearOnStartup,
      max_disk_size: c.maxDiskSize,
      sync_writes: c.syncWrites,
      write_buffer_size: c.writeBufferSize,
      block_cache_size: c.blockCacheSize,
    });
  }

  /** Sets the default TTL and the expiry sweep interval. */
  ttlConfig(c: TtlConfig): this {
    if (c.defaultTtl !== undefined) this.defaultTtl = c.defaultTtl;
    return this.put('ttl', { cleanup_interval: c.cleanupInterval });
  }

  /** Sets how values are compressed on disk. */
  compressionConfig(c: CompressionConfig): this {
    return this.put('compression', { enable_lz4: c.enableLz4, compression_threshold: c.compressionThreshold });
  }

  /** Sets the item size limit and the large-value threshold. */
  performanceConfig(c: PerformanceConfig): this {
    this.put('server', { item_size_max: c.itemSizeMax });
    return this.put('performance', { large_value_threshold: c.largeValueThreshold });
  }

  /** Routes the cache's own log lines (default: none). */
  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /**
   * Validates the configuration, opens the stores and returns the cache.
   * @throws ConfigError when an option is out of range or unknown.
   */
  async build(): Promise<RatMemCache> {
    const settings = loadSettings([], this.overrides);
    const cache = new RatMemCache(BUILDER, settings, this.logger, this.defaultTtl);
    await cache.start();
    return cache;
  }

  private put(section: string, values: Record<string, unknown>): this {
    const target = (this.overrides[section] ??= {});
    for (const [k, v] of Object.entries(values)) if (v !== undefined) target[k] = v;
    return this;
  }
}

/**
 * An embedded cache: the server's stores and use-cases, without a listener
 * (no port is opened). Build one with {@link RatMemCacheBuilder}; call
 * {@link RatMemCache.shutdown} when done so the disk tier is flushed.
 */
export class RatMemCache {
  private readonly uc: UseCases;
  private readonly lifecycles: Lifecycle[];
  private started: Lifecycle[] = [];

  /**
   * @internal Only {@link RatMemCacheBuilder.build} constructs a cache: the
   * first argument is a token no other module holds.
   */
  constructor(
    token: typeof BUILDER,
    settings: Settings,
    logger: Logger,
    private readonly defaultTtl: number,
  ) {
    if (token !== BUILDER) throw new TypeError('a RatMemCache is built by RatMemCacheBuilder');
    const container = createContainer(settings, logger);
    // Only the stores: the listeners are never built.
    this.lifecycles = container.get<Lifecycle[]>(StoreLifecycles);
    this.uc = container.get<UseCases>(UseCases);
  }

  /** @internal called by RatMemCacheBuilder.build() */
  async start(): Promise<void> {
    for (const l of this.lifecycles) {
      await l.start();
      this.started.push(l);
    }
  }

  /**
   * Stores a value with the default TTL (seconds; 0 = never). Strings are stored as UTF-8.
   * @param flags memcached's 32-bit client flags, returned to memcached clients with the value.
   * @throws RangeError when the key is empty or longer than 250 bytes, or the value exceeds the item size limit.
   */
  set(key: CacheKey, value: Buffer | string, flags = 0): Promise<void> {
    return this.setWithTtl(key, value, this.defaultTtl, flags);
  }

  /**
   * Stores a value that expires after `ttlSeconds` (0 = never; over 30 days it is a Unix time, as in memcached).
   * @throws RangeError as {@link RatMemCache.set}; Error when the cache could not store it.
   */
  async setWithTtl(key: CacheKey, value: Buffer | string, ttlSeconds: number, flags = 0): Promise<void> {
    const k = toKey(key);
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    if (!this.uc.storage.fits(k.length, v.length, flags)) throw new RangeError(`value of ${v.length} bytes exceeds the item size limit`);
    const outcome = await this.uc.storage.store(StoreMode.Set, k, flags >>> 0, ttlSeconds, v, 0);
    if (outcome !== 'stored') throw new Error(`value not stored: ${outcome}`);
  }

  /** The value (a Buffer of the caller's own), or undefined on a miss. Counts a hit or a miss. */
  async get(key: CacheKey): Promise<Buffer | undefined> {
    const item = await this.uc.retrieval.get(toKey(key));
    // A store's value may be a view of memory it reuses on the next write: the caller gets a copy.
    return item === undefined ? undefined : Buffer.from(item.value);
  }

  /** True when `key` holds a live value; counts nothing. */
  async containsKey(key: CacheKey): Promise<boolean> {
    return this.uc.retrieval.contains(toKey(key));
  }

  /** Live keys (as UTF-8 strings), in no particular order. */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.uc.retrieval.keys()) out.push(Buffer.from(k, 'latin1').toString('utf8'));
    return out;
  }

  /** True when a live item was removed. */
  async delete(key: CacheKey): Promise<boolean> {
    return this.uc.deletion.delete(toKey(key));
  }

  /** Removes every item (memory and disk). */
  async clear(): Promise<void> {
    await this.uc.flush.flushAll(0);
  }

  /** The values of the keys that hit, keyed as given (a Buffer key as its latin1 string). */
  async getMany(keys: CacheKey[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const key of keys) {
      const v = await this.get(key);
      if (v !== undefined) out.set(typeof key === 'string' ? key : key.toString('latin1'), v);
    }
    return out;
  }

  /** Stores each entry, in order, with `ttlSeconds` (default: the default TTL). */
  async setMany(entries: Iterable<[CacheKey, Buffer | string]>, ttlSeconds = this.defaultTtl): Promise<void> {
    for (const [k, v] of entries) await this.setWithTtl(k, v, ttlSeconds);
  }

  /** Counters since the cache was built. */
  getCacheStats(): CacheStats {
    const raw: Record<string, string | number> = {};
    for (const [k, v] of this.uc.stats.general() as StatPair[]) raw[k] = v;
    const s = this.uc.counters;
    const store = this.uc.stats.store();
    return {
      hits: s.get_hits,
      misses: s.get_misses,
      sets: s.cmd_set,
      deletes: s.delete_hits,
      items: store.items,
      bytes: store.bytes,
      evictions: store.evictions,
      raw,
    };
  }

  /** Hits divided by gets (0 before the first get). */
  getHitRate(): number {
    const s = this.uc.counters;
    const total = s.get_hits + s.get_misses;
    return total === 0 ? 0 : s.get_hits / total;
  }

  /** Flushes the disk tier and closes every store; the cache is unusable afterwards. */
  async shutdown(): Promise<void> {
    this.uc.flush.cancel();
    for (const l of this.started.reverse()) await l.stop();
    this.started = [];
  }
}

function toKey(key: CacheKey): string {
  const k = typeof key === 'string' ? Buffer.from(key, 'utf8').toString('latin1') : key.toString('latin1');
  if (k.length === 0 || k.length > 250) throw new RangeError('keys are 1 to 250 bytes');
  return k;
}
