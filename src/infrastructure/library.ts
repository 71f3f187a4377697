
import { silentLogger, type Logger } from '../domain/ports/logger.js';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import { StoreMode } from '../application/storage.js';
import { UseCases } from '../application/use-cases.js';
import type { StatPair } from '../application/stats.js';
import { loadSettings, type Overrides, type Settings } from './config.js';
import { createContainer, StoreLifecycles } from './container.js';

/** Keys: strings (UTF-8) or raw bytes. */
export type CacheKey = string | Buffer;

/** Memory tier options (the `[l1]` section). */
export interface L1Config {
  maxMemory?: number;
  maxEntries?: number;
  evictionStrategy?: string;
}
/** Disk tier options (the `[l2]` section). */
export interface L2Config {
  enableL2Cache?: boolean;
  dataDir?: string;
  clearOnStartup?: boolean;
  maxDiskSize?: number;
  syncWrites?: boolean;
  writeBufferSize?: number;
  blockCacheSize?: number;
}
/** Expiry options (the `[ttl]` section); `defaultTtl` applies to `set` without a TTL. */
export interface TtlConfig {
  defaultTtl?: number;
  cleanupInterval?: number;
}
export interface CompressionConfig {
  enableLz4?: boolean;
  compressionThreshold?: number;
}
export interface PerformanceConfig {
  largeValueThreshold?: number;
  itemSizeMax?: number;
}

/** Counters of an embedded cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  items: number;
  bytes: number;
  evictions: number;
  /** Every general `stats` field, as the server would report it. */
  raw: Record<string, string | number>;
}

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

  l1Config(c: L1Config): this {
    return this.put('l1', { max_memory: c.maxMemory, max_entries: c.maxEntries, eviction_strategy: c.evictionStrategy });
  }

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

  ttlConfig(c: TtlConfig): this {
    if (c.defaultTtl !== undefined) this.defaultTtl = c.defaultTtl;
    return this.put('ttl', { cleanup_interval: c.cleanupInterval });
  }

  compressionConfig(c: CompressionConfig): this {
    return this.put('compression', { enable_lz4: c.enableLz4, compression_threshold: c.compressionThreshold });
  }

  performanceConfig(c: PerformanceConfig): this {
    this.put('server', { item_size_max: c.itemSizeMax });
    return this.put('performance', { large_value_threshold: c.largeValueThreshold });
  }

  /** Routes the cache's own log lines (default: none). */
  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /** Validates the configuration, opens the stores and returns the cache. */
  async build(): Promise<RatMemCache> {
    const settings = loadSettings([], this.overrides);
    const cache = new RatMemCache(settings, this.logger, this.defaultTtl);
    await cache.start();
    return cache;
  }

  private put(section: string, values: Record<string, unknown>): this {
    const target = (this.overrides[section] ??= {});
    for (const [k, v] of Object.entries(values)) if (v !== undefined) target[k] = v;
    return this;
  }
}

/** An embedded cache: the server's stores and use-cases without a listener. */
export class RatMemCache {
  private readonly uc: UseCases;
  private readonly lifecycles: Lifecycle[];
  private started: Lifecycle[] = [];

  /** @internal use RatMemCacheBuilder */
  constructor(
    settings: Settings,
    logger: Logger,
    private readonly defaultTtl: number,
  ) {
    const container = createContainer(settings, logger);
    // Only the stores: the listeners are never built.
    this.lifecycles = container.get<Lifecycle[]>(StoreLifecycles);
    this.uc = container.get<UseCases>(UseCases);
  }

  /** @internal */
  async start(): Promise<void> {
    for (const l of this.lifecycles) {
      await l.start();
      this.started.push(l);
    }
  }

  /** Stores a value with the default TTL (seconds; 0 = never). */
  set(key: CacheKey, value: Buffer | string, flags = 0): Promise<void> {
    return this.setWithTtl(key, value, this.defaultTtl, flags);
  }

  /** Stores a value that expires after `ttlSeconds` (0 = never). */
  async setWithTtl(key: CacheKey, value: Buffer | string, ttlSeconds: number, flags = 0): Promise<void> {
    const k = toKey(key);
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    if (!this.uc.storage.fits(k.length, v.length, flags)) throw new RangeError(`value of ${v.length} bytes exceeds the item size limit`);
    const outcome = await this.uc.storage.store(StoreMode.Set, k, flags >>> 0, ttlSeconds, v, 0);
    if (outcome !== 'stored') throw new Error(`value not stored: ${outcome}`);
  }

  /** The value, or undefined on a miss. */
  async get(key: CacheKey): Promise<Buffer | undefined> {
    const item = await this.uc.retrieval.get(toKey(key));
    return item?.value;
  }

  async containsKey(key: CacheKey): Promise<boolean> {
    return this.uc.retrieval.contains(toKey(key));
  }

  /** Live keys (as UTF-8 strings). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.uc.retrieval.keys()) out.push(Buffer.from(k, 'latin1').toString('utf8'));
    return out;
  }

  /** True when a live item was removed. */
  async delete(key: CacheKey): Promise<boolean> {
    return this.uc.deletion.delete(toKey(key));
  }

  async clear(): Promise<void> {
    await this.uc.flush.flushAll(0);
  }

  async getMany(keys: CacheKey[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (const key of keys) {
      const v = await this.get(key);
      if (v !== undefined) out.set(typeof key === 'string' ? key : key.toString('latin1'), v);
    }
    return out;
  }

  async setMany(entries: Iterable<[CacheKey, Buffer | string]>, ttlSeconds = this.defaultTtl): Promise<void> {
    for (const [k, v] of entries) await this.setWithTtl(k, v, ttlSeconds);
  }

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

  /** get hits / gets, 0 before the first get. */
  getHitRate(): number {
    const s = this.uc.counters;
    const total = s.get_hits + s.get_misses;
    return total === 0 ? 0 : s.get_hits / total;
  }

  /** Flushes the disk tier and closes everything. */
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

