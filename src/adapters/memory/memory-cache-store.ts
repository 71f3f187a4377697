import { makeItem, type CacheItem } from '../../domain/item.js';
import type { CacheStore, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EvictionEntries, EvictionPolicy, EvictionPolicyFactory } from '../../domain/ports/eviction-policy.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import { EntryTable } from './entry-table.js';
import { PAGE_SIZE, SlabArena } from './slab-arena.js';

/** Options of the memory tier (the `[l1]` and `[ttl]` config sections). */
export interface MemoryStoreOptions {
  /** Byte budget for everything the tier holds; 0 = unbounded. */
  maxMemory: number;
  /** Entry budget; 0 = unbounded. */
  maxEntries: number;
  /** Period of the background expiry sweep in ms; 0 disables it. */
  cleanupIntervalMs: number;
}

/**
 * Bytes an entry costs beyond its key bytes and its value's chunk: the
 * index Map's slot, the key string's header, the metadata arrays (with their
 * growth slack) and the eviction policy's arrays. Measured on Node 20 x64
 * with bench/memory/overhead.ts (docs/memory.md).
 */
export const ENTRY_OVERHEAD = 112;
/** A value with a Buffer of its own also pays the Buffer object and its native backing store. */
const OWN_BUFFER_OVERHEAD = 256;
/** Entries examined per sweep slice, so a sweep never stalls the event loop. */
const SWEEP_SLICE = 10_000;

/**
 * The L1 tier. Keys map to entry ids; metadata lives in typed arrays
 * (EntryTable), values in slab pages (SlabArena) or, above 8 KiB, in a
 * Buffer of their own. The budget covers pages, own buffers and every
 * entry's key and overhead, so it bounds the memory the tier really uses.
 * Eviction is delegated to an EvictionPolicy over entry ids; expiry is lazy
 * on access plus a sliced periodic sweep. Every operation is synchronous.
 *
 * Items returned by get/touch/peek are built per call and their value is a
 * view of slab memory: valid until the next write to this store. Callers
 * copy what they keep longer (the reply writer copies small values at once).
 */
export class MemoryCacheStore implements CacheStore, Lifecycle, EvictionEntries {
  readonly name = 'memory';
  private readonly index = new Map<string, number>();
  private readonly table = new EntryTable();
  private readonly arena = new SlabArena((id, addr) => {
    this.table.location[id] = addr;
  });
  private readonly ownBuffers = new Map<number, Buffer>();
  private readonly policy: EvictionPolicy;
  /** Bytes charged to entries (`stats bytes`): key + value + ENTRY_OVERHEAD each. */
  private bytes = 0;
  /** Memory outside the pages: keys, entry overheads and own buffers. */
  private entryBytes = 0;
  private evictions = 0;
  private expired = 0;
  private totalItems = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepCursor = 0;

  constructor(
    private options: MemoryStoreOptions,
    private readonly clock: Clock,
    makePolicy: EvictionPolicyFactory,
  ) {
    this.policy = makePolicy(this, options.maxMemory);
  }

  get policyName(): string {
    return this.policy.name;
  }

  /** Memory held: pages plus everything outside them. */
  get usedBytes(): number {
    return this.arena.pageBytes + this.entryBytes;
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

  sizeOf(id: number): number {
    return this.table.keys[id]!.length + this.table.valueLength[id]! + ENTRY_OVERHEAD;
  }

  keyOf(id: number): string {
    return this.table.keys[id]!;
  }

  get(key: string): CacheItem | undefined {
    const id = this.index.get(key);
    if (id === undefined) return undefined;
    const exptime = this.table.exptime[id]!;
    if (exptime !== 0 && exptime <= this.clock.now()) {
      this.expire(id);
      return undefined;
    }
    this.policy.access(id);
    return this.itemOf(id, key);
  }

  /** Reads without counting as an access (no policy update, no expiry removal). */
  peek(key: string): CacheItem | undefined {
    const id = this.index.get(key);
    if (id === undefined) return undefined;
    const exptime = this.table.exptime[id]!;
    if (exptime !== 0 && exptime <= this.clock.now()) return undefined;
    return this.itemOf(id, key);
  }

  set(item: CacheItem): boolean {
    const { key, value } = item;
    const length = value.length;
    const old = this.index.get(key);
    const maxMemory = this.options.maxMemory;
    if (maxMemory > 0 && key.length + length + ENTRY_OVERHEAD > maxMemory) {
      if (old !== undefined) this.unlink(old);
      return false;
    }
    const cls = this.arena.classOf(length);
    const t = this.table;
    if (old !== undefined) {
      const loc = t.location[old]!;
      if (cls >= 0 && loc >= 0 && this.arena.classOf(t.valueLength[old]!) === cls) {
        // Same chunk size: overwrite in place, so the policy keeps what it learnt about the key.
        this.arena.write(loc, value);
        this.bytes += length - t.valueLength[old]!;
        t.valueLength[old] = length;
        t.flags[old] = item.flags;
        t.exptime[old] = item.exptime;
        t.cas[old] = item.cas;
        this.totalItems++;
        this.policy.update(old);
        return true;
      }
      // A different chunk (or an own buffer, never rewritten in place: a socket may still be sending it).
      this.unlink(old);
    }
    return this.insert(item, cls);
  }

  delete(key: string): boolean {
    const id = this.index.get(key);
    if (id === undefined) return false;
    const exptime = this.table.exptime[id]!;
    if (exptime !== 0 && exptime <= this.clock.now()) {
      this.expire(id);
      return false;
    }
    this.unlink(id);
    return true;
  }

  touch(key: string, exptime: number): CacheItem | undefined {
    const item = this.get(key);
    if (item === undefined) return undefined;
    this.table.exptime[this.index.get(key)!] = exptime;
    item.exptime = exptime;
    return item;
  }

  clear(): void {
    this.index.clear();
    this.table.clear();
    this.arena.clear();
    this.ownBuffers.clear();
    this.policy.clear();
    this.bytes = 0;
    this.entryBytes = 0;
    this.sweepCursor = 0;
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    const t = this.table;
    for (let id = 0; id < t.highWater; id++) {
      const key = t.keys[id];
      if (key === undefined) continue;
      const exptime = t.exptime[id]!;
      if (exptime === 0 || exptime > now) yield key;
    }
  }

  stats(): StoreStats {
    return {
      items: this.index.size,
      bytes: this.bytes,
      limitBytes: this.options.maxMemory,
      evictions: this.evictions,
      expired: this.expired,
      totalItems: this.totalItems,
    };
  }

  fits(key: string, valueLength: number): boolean {
    const { maxMemory, maxEntries } = this.options;
    if (maxEntries > 0 && this.index.size >= maxEntries) return false;
    if (maxMemory === 0) return true;
    const cls = this.arena.classOf(valueLength);
    const outside = key.length + ENTRY_OVERHEAD + (cls < 0 ? valueLength + OWN_BUFFER_OVERHEAD : 0);
    const used = this.usedBytes + outside;
    if (cls < 0 || this.arena.hasSpare(cls)) return used <= maxMemory;
    return used + PAGE_SIZE <= maxMemory;
  }

  /** Changes the budgets at run time (memcached's `cache_memlimit`) and shrinks to them. */
  resize(maxMemory: number, maxEntries = this.options.maxEntries): void {
    this.options = { ...this.options, maxMemory, maxEntries };
    while (maxEntries > 0 && this.index.size > maxEntries && this.evictOne()) {}
    while (maxMemory > 0 && this.usedBytes > maxMemory) {
      const donor = this.arena.donor(-1);
      if (donor >= 0) this.arena.releasePage(donor);
      else if (!this.evictOne()) break;
    }
  }

  /**
   * Removes expired entries, examining at most `budget` ids, resuming where
   * the previous slice stopped. Returns how many were removed.
   */
  sweep(budget: number): number {
    const now = this.clock.now();
    const t = this.table;
    let removed = 0;
    let id = this.sweepCursor;
    for (let n = 0; n < budget; n++, id++) {
      if (id >= t.highWater) {
        id = 0;
        break;
      }
      const exptime = t.exptime[id]!;
      if (t.keys[id] !== undefined && exptime !== 0 && exptime <= now) {
        this.expire(id);
        removed++;
      }
    }
    this.sweepCursor = id;
    return removed;
  }

  private itemOf(id: number, key: string): CacheItem {
    const t = this.table;
    const loc = t.location[id]!;
    const value = loc >= 0 ? this.arena.view(loc, t.valueLength[id]!) : this.ownBuffers.get(id)!;
    return makeItem(key, value, t.flags[id]!, t.exptime[id]!, t.cas[id]!);
  }

  private insert(item: CacheItem, cls: number): boolean {
    const { key, value } = item;
    const length = value.length;
    const { maxMemory, maxEntries } = this.options;
    while (maxEntries > 0 && this.index.size >= maxEntries && this.evictOne()) {}
    const outside = key.length + ENTRY_OVERHEAD + (cls < 0 ? length + OWN_BUFFER_OVERHEAD : 0);
    while (maxMemory > 0 && this.usedBytes + outside > maxMemory && this.evictOne()) {}
    const t = this.table;
    const id = t.allocate(key);
    if (cls >= 0) {
      const addr = this.chunk(cls, id);
      this.arena.write(addr, value);
      t.location[id] = addr;
    } else {
      const own = Buffer.allocUnsafeSlow(length);
      value.copy(own);
      this.ownBuffers.set(id, own);
      t.location[id] = -1;
    }
    t.valueLength[id] = length;
    t.flags[id] = item.flags;
    t.exptime[id] = item.exptime;
    t.cas[id] = item.cas;
    this.index.set(key, id);
    this.entryBytes += outside;
    this.bytes += key.length + length + ENTRY_OVERHEAD;
    this.totalItems++;
    this.policy.insert(id);
    return true;
  }

  /**
   * A chunk of class `cls`: a free one, else a new page while the budget
   * allows, else a page emptied in a class with a page worth of spare
   * chunks, else evict and retry. Evictions free chunks, so a donor class
   * eventually appears. With nothing left to evict (an empty tier whose
   * budget is below one page) it takes a page anyway.
   */
  private chunk(cls: number, id: number): number {
    const maxMemory = this.options.maxMemory;
    for (;;) {
      const addr = this.arena.allocate(cls, id);
      if (addr >= 0) return addr;
      if (maxMemory === 0 || this.usedBytes + PAGE_SIZE <= maxMemory) {
        this.arena.addPage(cls);
        continue;
      }
      const donor = this.arena.donor(cls);
      if (donor >= 0) this.arena.movePage(donor, cls);
      else if (!this.evictOne()) this.arena.addPage(cls);
    }
  }

  /** Evicts the policy's victim; false when there is none. */
  private evictOne(): boolean {
    const id = this.policy.evict();
    if (id < 0) return false;
    const exptime = this.table.exptime[id]!;
    if (exptime !== 0 && exptime <= this.clock.now()) this.expired++;
    else this.evictions++;
    this.drop(id);
    return true;
  }

  private expire(id: number): void {
    this.unlink(id);
    this.expired++;
  }

  private unlink(id: number): void {
    this.policy.remove(id);
    this.drop(id);
  }

  /** Frees an entry the policy no longer tracks. */
  private drop(id: number): void {
    const t = this.table;
    const key = t.keys[id]!;
    const length = t.valueLength[id]!;
    const loc = t.location[id]!;
    let outside = key.length + ENTRY_OVERHEAD;
    if (loc >= 0) {
      this.arena.free(loc);
    } else {
      this.ownBuffers.delete(id);
      outside += length + OWN_BUFFER_OVERHEAD;
    }
    this.index.delete(key);
    this.entryBytes -= outside;
    this.bytes -= key.length + length + ENTRY_OVERHEAD;
    t.release(id);
  }
}
