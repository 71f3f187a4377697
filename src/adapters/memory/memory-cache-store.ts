import type { CacheItem } from '../../domain/item.js';
import { isExpired } from '../../domain/item.js';
import type { CacheStore, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';

/** Options of the memory tier (the `[l1]` and `[ttl]` config sections). */
export interface MemoryStoreOptions {
  /** Byte budget for key + value + per-item overhead; 0 = unbounded. */
  maxMemory: number;
  /** Entry budget; 0 = unbounded. */
  maxEntries: number;
  /** Period of the background expiry sweep in ms; 0 disables it. */
  cleanupIntervalMs: number;
}

/**
 * Bytes charged per entry beyond key and value: the Entry object, its Map
 * slot, the key string's header, the Buffer view object and, under the
 * default s3fifo policy, the entry's share of the ghost queue. Measured on
 * Node 20 x64 with bench/memory/overhead.ts (docs/memory.md): 244 bytes/item
 * in a freshly filled store, 307 at steady state under eviction (Map slack
 * and tombstones), 425 with s3fifo, whose ghost queue holds up to one key
 * hash per resident entry. Charging the steady-state s3fifo figure keeps
 * `max_memory` an honest bound on the heap at the point where it binds.
 * Values shared with other values' Buffer-pool slabs are not covered.
 */
export const ENTRY_OVERHEAD = 420;

/** Entries examined per sweep slice, so a sweep never stalls the event loop. */
const SWEEP_SLICE = 10_000;

/** Store entry: the item fields plus the policy's intrusive links, in one object. */
class Entry implements CacheItem, EvictionNode {
  prev: EvictionNode | null = null;
  next: EvictionNode | null = null;
  meta = 0;
  constructor(
    readonly key: string,
    public value: Buffer,
    public flags: number,
    public exptime: number,
    public cas: number,
    public size: number,
  ) {}
}

/**
 * The L1 tier: a Map of entries with a byte and an entry budget. Eviction is
 * delegated to an EvictionPolicy; expiry is lazy on access plus a sliced
 * periodic sweep. Every operation is synchronous.
 */
export class MemoryCacheStore implements CacheStore, Lifecycle {
  readonly name = 'memory';
  private readonly map = new Map<string, Entry>();
  private bytes = 0;
  private evictions = 0;
  private expired = 0;
  private totalItems = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepIterator: IterableIterator<Entry> | undefined;
  /** Called with each entry pushed out for room (not for delete/expiry). */
  onEvict: ((item: CacheItem) => void) | undefined;

  constructor(
    private options: MemoryStoreOptions,
    private readonly clock: Clock,
    private readonly policy: EvictionPolicy,
  ) {}

  get policyName(): string {
    return this.policy.name;
  }

  async start(): Promise<void> {
    if (this.options.cleanupIntervalMs > 0 && !this.sweepTimer) {
      this.sweepTimer = setInterval(() => this.sweep(SWEEP_SLICE), this.options.cleanupIntervalMs);
      this.sweepTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  get(key: string): CacheItem | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.exptime !== 0 && e.exptime <= this.clock.now()) {
      this.expire(e);
      return undefined;
    }
    this.policy.access(e);
    return e;
  }

  /** Reads without counting as an access (no policy update, no expiry removal). */
  peek(key: string): CacheItem | undefined {
    const e = this.map.get(key);
    if (e === undefined || isExpired(e.exptime, this.clock.now())) return undefined;
    return e;
  }

  set(item: CacheItem): boolean {
    const size = item.key.length + item.value.length + ENTRY_OVERHEAD;
    const old = this.map.get(item.key);
    if (this.options.maxMemory > 0 && size > this.options.maxMemory) {
      if (old !== undefined) this.unlink(old);
      return false;
    }
    if (old !== undefined) {
      // Update in place: an overwrite is an access, so the policy keeps what it learned about the key.
      this.bytes += size - old.size;
      old.value = item.value;
      old.flags = item.flags;
      old.exptime = item.exptime;
      old.cas = item.cas;
      old.size = size;
      this.totalItems++;
      this.policy.access(old);
      this.makeRoom();
      return true;
    }
    const e = new Entry(item.key, item.value, item.flags, item.exptime, item.cas, size);
    this.map.set(e.key, e);
    this.bytes += size;
    this.totalItems++;
    this.policy.insert(e);
    this.makeRoom();
    return true;
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (e === undefined) return false;
    if (isExpired(e.exptime, this.clock.now())) {
      this.expire(e);
      return false;
    }
    this.unlink(e);
    return true;
  }

  touch(key: string, exptime: number): CacheItem | undefined {
    const e = this.get(key) as Entry | undefined;
    if (e !== undefined) e.exptime = exptime;
    return e;
  }

  clear(): void {
    this.map.clear();
    this.policy.clear();
    this.bytes = 0;
    this.sweepIterator = undefined;
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    for (const e of this.map.values()) if (!isExpired(e.exptime, now)) yield e.key;
  }

  stats(): StoreStats {
    return {
      items: this.map.size,
      bytes: this.bytes,
      limitBytes: this.options.maxMemory,
      evictions: this.evictions,
      expired: this.expired,
      totalItems: this.totalItems,
    };
  }

  /** Changes the budgets at run time (memcached's `cache_memlimit`) and evicts down to them. */
  resize(maxMemory: number, maxEntries = this.options.maxEntries): void {
    this.options = { ...this.options, maxMemory, maxEntries };
    this.makeRoom();
  }

  /**
   * Removes expired entries, examining at most `budget` of them, resuming
   * where the previous slice stopped. Returns how many were removed.
   */
  sweep(budget: number): number {
    const now = this.clock.now();
    let removed = 0;
    if (!this.sweepIterator) this.sweepIterator = this.map.values();
    for (let i = 0; i < budget; i++) {
      const r = this.sweepIterator.next();
      if (r.done) {
        this.sweepIterator = undefined;
        break;
      }
      const e = r.value;
      if (isExpired(e.exptime, now)) {
        this.expire(e);
        removed++;
      }
    }
    return removed;
  }

  private makeRoom(): void {
    const { maxMemory, maxEntries } = this.options;
    while ((maxMemory > 0 && this.bytes > maxMemory) || (maxEntries > 0 && this.map.size > maxEntries)) {
      const victim = this.policy.evict() as Entry | undefined;
      if (victim === undefined) break;
      this.map.delete(victim.key);
      this.bytes -= victim.size;
      if (isExpired(victim.exptime, this.clock.now())) {
        this.expired++;
      } else {
        this.evictions++;
        this.onEvict?.(victim);
      }
    }
  }

  private expire(e: Entry): void {
    this.unlink(e);
    this.expired++;
  }

  private unlink(e: Entry): void {
    this.map.delete(e.key);
    this.policy.remove(e);
    this.bytes -= e.size;
  }
}
