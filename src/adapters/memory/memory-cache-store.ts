import { makeItem, type CacheItem } from '../../domain/item.js';
import { keyHash } from '../../domain/key-hash.js';
import type { CacheStore, SlabClassStats, StoreLayout, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EvictionEntries, EvictionPolicy, EvictionPolicyFactory } from '../../domain/ports/eviction-policy.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import { EntryTable, OWN_BUFFER } from './entry-table.js';
import { KeyIndex, type IndexedEntries } from './key-index.js';
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
 * Bytes an entry costs the store beyond its payload chunk (key + value + 6
 * bytes of header, rounded to its size class): the metadata arrays (32 B and
 * their growth slack) and the key index (4 B per slot at <= 3/4 load).
 * The eviction policy's own per-entry cost is added to it. Measured on Node
 * 20 x64 with bench/memory/overhead.ts (docs/memory.md).
 */
export const ENTRY_BASE_OVERHEAD = 44;
/** A payload with a Buffer of its own also pays the Buffer object and its native backing store. */
const OWN_BUFFER_OVERHEAD = 256;
/** Payload header: the key length (u16). */
const KEY_LENGTH_BYTES = 2;
/** Longest key the payload header can describe. */
const KEY_MAX = 0xffff;
/** Entries examined per sweep slice, so a sweep never stalls the event loop. */
const SWEEP_SLICE = 10_000;
/** Entries examined for expired ones before a set takes new memory (memcached looks at its LRU tails). */
const RECLAIM_SLICE = 2_000;

/**
 * The L1 tier. Entries are integer ids: metadata in typed arrays
 * (EntryTable), key + value in one slab chunk (SlabArena) or, past 8 KiB,
 * in a Buffer of their own, and a key index over ids (KeyIndex). No JS
 * object or string per entry. The budget covers pages, own buffers and each
 * entry's overhead, so it bounds the memory the tier really uses.
 * Eviction is delegated to an EvictionPolicy over entry ids; expiry is lazy
 * on access plus a sliced periodic sweep. Every operation is synchronous.
 *
 * Items returned by get/touch/peek are built per call and their value is a
 * view of slab memory: valid until the next write to this store (CacheStore).
 */
export class MemoryCacheStore implements CacheStore, Lifecycle, EvictionEntries, IndexedEntries {
  readonly name = 'memory';
  private readonly table = new EntryTable();
  private readonly index = new KeyIndex(this);
  private readonly arena = new SlabArena((id, addr) => {
    this.table.setLocation(id, addr / 8);
  });
  private readonly ownBuffers = new Map<number, Buffer>();
  /** Bytes of all own buffers (allocated outside the pages). */
  private ownBytes = 0;
  /** Per size class (the last slot: own buffers): bytes charged, evictions, expired items removed. */
  private readonly classBytes = new Float64Array(this.arena.classCount + 1);
  private readonly classEvicted = new Float64Array(this.arena.classCount + 1);
  private readonly classReclaimed = new Float64Array(this.arena.classCount + 1);
  /**
   * No entry expires before this (a lower bound): sets and the sweep skip
   * looking for expired entries until then. `cycleMin` gathers the bound
   * for the sweep's next full pass over the table.
   */
  private nextExpiry = Infinity;
  private cycleMin = Infinity;
  private readonly policy: EvictionPolicy;
  /** Bytes charged per entry beyond key and value: ENTRY_BASE_OVERHEAD + the policy's entryOverhead. */
  readonly entryOverhead: number;
  /** Bytes charged to entries (`stats bytes`): key + value + entryOverhead each. */
  private bytes = 0;
  /** Memory outside the pages: entry overheads and own buffers. */
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
    this.entryOverhead = ENTRY_BASE_OVERHEAD + this.policy.entryOverhead;
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
    return this.keyLength(id) + this.table.valueLength(id) + this.entryOverhead;
  }

  hashOf(id: number): number {
    return this.table.hash(id);
  }

  keyEquals(id: number, key: string): boolean {
    const buf = this.payloadPage(id);
    const off = this.payloadOffset(id);
    const n = key.length;
    if ((buf[off]! | (buf[off + 1]! << 8)) !== n) return false;
    const k = off + KEY_LENGTH_BYTES;
    for (let i = 0; i < n; i++) if (buf[k + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  get(key: string): CacheItem | undefined {
    const id = this.liveId(key);
    if (id < 0) return undefined;
    this.policy.access(id);
    return this.itemOf(id, key);
  }

  /** Reads without counting as an access (no policy update, no expiry removal). */
  peek(key: string): CacheItem | undefined {
    const id = this.index.find(key, keyHash(key));
    if (id < 0) return undefined;
    const exptime = this.table.exptime(id);
    if (exptime !== 0 && exptime <= this.clock.now()) return undefined;
    return this.itemOf(id, key);
  }

  set(item: CacheItem): boolean {
    const { key, value } = item;
    const length = value.length;
    const hash = keyHash(key);
    const old = this.index.find(key, hash);
    const maxMemory = this.options.maxMemory;
    if (key.length > KEY_MAX || (maxMemory > 0 && key.length + length + this.entryOverhead > maxMemory)) {
      if (old >= 0) this.unlink(old);
      return false;
    }
    const cls = this.arena.classOf(KEY_LENGTH_BYTES + key.length + length);
    const t = this.table;
    if (old >= 0) {
      const loc = t.location(old);
      if (cls >= 0 && loc !== OWN_BUFFER && this.arena.classOf(KEY_LENGTH_BYTES + key.length + t.valueLength(old)) === cls) {
        // Same chunk size: overwrite in place, so the policy keeps what it learnt about the key.
        copyInto(this.arena.page(loc * 8), this.arena.payloadOffset(loc * 8) + KEY_LENGTH_BYTES + key.length, value);
        this.bytes += length - t.valueLength(old);
        this.classBytes[cls] += length - t.valueLength(old);
        this.noteExpiry(item.exptime);
        t.setValueLength(old, length);
        t.setFlags(old, item.flags);
        t.setExptime(old, item.exptime);
        t.setCas(old, item.cas);
        this.totalItems++;
        this.policy.update(old);
        return true;
      }
      // A different chunk (or an own buffer, never rewritten in place: a socket may still be sending it).
      this.unlink(old);
    }
    return this.insert(item, hash, cls);
  }

  delete(key: string): boolean {
    const id = this.liveId(key);
    if (id < 0) return false;
    this.unlink(id);
    return true;
  }

  touch(key: string, exptime: number): CacheItem | undefined {
    const id = this.liveId(key);
    if (id < 0) return undefined;
    this.policy.access(id);
    this.table.setExptime(id, exptime);
    this.noteExpiry(exptime);
    return this.itemOf(id, key);
  }

  clear(): void {
    this.index.clear();
    this.table.clear();
    this.arena.clear();
    this.ownBuffers.clear();
    this.policy.clear();
    this.bytes = 0;
    this.entryBytes = 0;
    this.ownBytes = 0;
    this.classBytes.fill(0);
    this.sweepCursor = 0;
    this.nextExpiry = this.cycleMin = Infinity;
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    const t = this.table;
    for (let id = 0; id < t.highWater; id++) {
      if (!t.isLive(id)) continue;
      const exptime = t.exptime(id);
      if (exptime === 0 || exptime > now) yield this.keyOf(id);
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

  /** The layout() class id an item of these lengths is stored in: its arena class, or the own-buffer one. */
  sizeClassOf(keyLength: number, valueLength: number): number {
    const cls = this.arena.classOf(KEY_LENGTH_BYTES + keyLength + valueLength);
    return (cls < 0 ? this.arena.classCount : cls) + 1;
  }

  /**
   * The arena's size classes that hold pages, then (as the next class id)
   * the values that have a Buffer of their own, reported as one chunk per
   * page of their mean size. `total_malloced` counts pages and own buffers.
   */
  layout(): StoreLayout {
    const classes: SlabClassStats[] = [];
    const own = this.arena.classCount;
    for (let cls = 0; cls < own; cls++) {
      const p = this.arena.classPages(cls);
      if (p.pages === 0) continue;
      const totalChunks = p.pages * p.perPage;
      classes.push({
        id: cls + 1,
        chunkSize: p.chunkSize,
        chunksPerPage: p.perPage,
        pages: p.pages,
        totalChunks,
        usedChunks: totalChunks - p.free - p.freeEnd,
        freeChunks: p.free,
        freeChunksEnd: p.freeEnd,
        ...this.classCounters(cls, totalChunks - p.free - p.freeEnd),
      });
    }
    const n = this.ownBuffers.size;
    if (n > 0) {
      classes.push({
        id: own + 1,
        chunkSize: Math.ceil(this.ownBytes / n),
        chunksPerPage: 1,
        pages: n,
        totalChunks: n,
        usedChunks: n,
        freeChunks: 0,
        freeChunksEnd: 0,
        ...this.classCounters(own, n),
      });
    }
    return { classes, mallocedBytes: this.arena.pageBytes + this.ownBytes };
  }

  fits(key: string, valueLength: number): boolean {
    const { maxMemory, maxEntries } = this.options;
    if (maxEntries > 0 && this.index.size >= maxEntries) return false;
    if (maxMemory === 0) return true;
    const payload = KEY_LENGTH_BYTES + key.length + valueLength;
    const cls = this.arena.classOf(payload);
    const used = this.usedBytes + this.entryOverhead + (cls < 0 ? payload + OWN_BUFFER_OVERHEAD : 0);
    if (cls < 0 || this.arena.hasSpare(cls)) return used <= maxMemory;
    return used + PAGE_SIZE <= maxMemory;
  }

  /** Changes the budgets at run time (memcached's `cache_memlimit`) and shrinks to them. */
  resize(maxMemory: number, maxEntries = this.options.maxEntries): void {
    this.options = { ...this.options, maxMemory, maxEntries };
    while (maxEntries > 0 && this.index.size > maxEntries && this.evictOne()) {
      // evictOne() does the work
    }
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
    if (now < this.nextExpiry) return 0;
    const t = this.table;
    let removed = 0;
    let id = this.sweepCursor;
    for (let n = 0; n < budget; n++, id++) {
      if (id >= t.highWater) {
        // A full pass saw every entry that had an exptime (or noteExpiry did): the bound is exact again.
        id = 0;
        this.nextExpiry = this.cycleMin;
        this.cycleMin = Infinity;
        break;
      }
      const exptime = t.exptime(id);
      if (exptime === 0 || !t.isLive(id)) continue;
      if (exptime <= now) {
        this.expire(id);
        removed++;
      } else if (exptime < this.cycleMin) {
        this.cycleMin = exptime;
      }
    }
    this.sweepCursor = id;
    return removed;
  }

  /** The id of `key`'s live entry, or -1; an expired entry found on the way is removed. */
  private liveId(key: string): number {
    const id = this.index.find(key, keyHash(key));
    if (id < 0) return -1;
    const exptime = this.table.exptime(id);
    if (exptime !== 0 && exptime <= this.clock.now()) {
      this.expire(id);
      return -1;
    }
    return id;
  }

  private noteExpiry(exptime: number): void {
    if (exptime === 0) return;
    if (exptime < this.nextExpiry) this.nextExpiry = exptime;
    if (exptime < this.cycleMin) this.cycleMin = exptime;
  }

  /** The size class slot of an entry: its arena class, or the own-buffer slot. */
  private classOfEntry(id: number): number {
    const loc = this.table.location(id);
    return loc === OWN_BUFFER ? this.arena.classCount : this.arena.classAt(loc * 8);
  }

  private classCounters(slot: number, items: number): Pick<SlabClassStats, 'items' | 'requestedBytes' | 'evicted' | 'reclaimed'> {
    return { items, requestedBytes: this.classBytes[slot]!, evicted: this.classEvicted[slot]!, reclaimed: this.classReclaimed[slot]! };
  }

  private payloadPage(id: number): Buffer {
    const loc = this.table.location(id);
    return loc === OWN_BUFFER ? this.ownBuffers.get(id)! : this.arena.page(loc * 8);
  }

  private payloadOffset(id: number): number {
    const loc = this.table.location(id);
    return loc === OWN_BUFFER ? 0 : this.arena.payloadOffset(loc * 8);
  }

  private keyLength(id: number): number {
    const buf = this.payloadPage(id);
    const off = this.payloadOffset(id);
    return buf[off]! | (buf[off + 1]! << 8);
  }

  private keyOf(id: number): string {
    const buf = this.payloadPage(id);
    const off = this.payloadOffset(id);
    return buf.toString('latin1', off + KEY_LENGTH_BYTES, off + KEY_LENGTH_BYTES + (buf[off]! | (buf[off + 1]! << 8)));
  }

  private itemOf(id: number, key: string): CacheItem {
    const t = this.table;
    const start = this.payloadOffset(id) + KEY_LENGTH_BYTES + key.length;
    const value = this.payloadPage(id).subarray(start, start + t.valueLength(id));
    return makeItem(key, value, t.flags(id), t.exptime(id), t.cas(id));
  }

  private insert(item: CacheItem, hash: number, cls: number): boolean {
    const { key, value } = item;
    const length = value.length;
    const payload = KEY_LENGTH_BYTES + key.length + length;
    const { maxMemory, maxEntries } = this.options;
    while (maxEntries > 0 && this.index.size >= maxEntries && this.evictOne()) {
      // evictOne() does the work
    }
    const outside = this.entryOverhead + (cls < 0 ? payload + OWN_BUFFER_OVERHEAD : 0);
    // Memory of expired entries is reused before new memory is taken or anything live is evicted.
    if ((cls < 0 || !this.arena.hasSpare(cls)) && this.clock.now() >= this.nextExpiry) this.sweep(RECLAIM_SLICE);
    while (maxMemory > 0 && this.usedBytes + outside > maxMemory && this.evictOne()) {
      // evictOne() does the work
    }
    const t = this.table;
    const id = t.allocate();
    let buf: Buffer;
    let off: number;
    if (cls >= 0) {
      const addr = this.chunk(cls, id);
      t.setLocation(id, addr / 8);
      buf = this.arena.page(addr);
      off = this.arena.payloadOffset(addr);
    } else {
      buf = Buffer.allocUnsafeSlow(payload);
      off = 0;
      this.ownBuffers.set(id, buf);
      this.ownBytes += payload;
      t.setLocation(id, OWN_BUFFER);
    }
    const n = key.length;
    buf[off] = n & 0xff;
    buf[off + 1] = n >>> 8;
    for (let i = 0; i < n; i++) buf[off + KEY_LENGTH_BYTES + i] = key.charCodeAt(i);
    copyInto(buf, off + KEY_LENGTH_BYTES + n, value);
    t.setHash(id, hash);
    t.setValueLength(id, length);
    t.setFlags(id, item.flags);
    t.setExptime(id, item.exptime);
    t.setCas(id, item.cas);
    this.index.insert(id, hash);
    this.entryBytes += outside;
    this.bytes += n + length + this.entryOverhead;
    this.classBytes[cls < 0 ? this.arena.classCount : cls] += n + length + this.entryOverhead;
    this.noteExpiry(item.exptime);
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
    const exptime = this.table.exptime(id);
    const slot = this.classOfEntry(id);
    if (exptime !== 0 && exptime <= this.clock.now()) {
      this.expired++;
      this.classReclaimed[slot]++;
    } else {
      this.evictions++;
      this.classEvicted[slot]++;
    }
    this.drop(id);
    return true;
  }

  private expire(id: number): void {
    this.classReclaimed[this.classOfEntry(id)]++;
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
    const keyLength = this.keyLength(id);
    const length = t.valueLength(id);
    const loc = t.location(id);
    this.index.remove(id, t.hash(id));
    let outside = this.entryOverhead;
    this.classBytes[this.classOfEntry(id)] -= keyLength + length + this.entryOverhead;
    if (loc !== OWN_BUFFER) {
      this.arena.free(loc * 8);
    } else {
      this.ownBuffers.delete(id);
      this.ownBytes -= KEY_LENGTH_BYTES + keyLength + length;
      outside += KEY_LENGTH_BYTES + keyLength + length + OWN_BUFFER_OVERHEAD;
    }
    this.entryBytes -= outside;
    this.bytes -= keyLength + length + this.entryOverhead;
    t.release(id);
  }
}

/** Copies `src` into `dst` at `at`; short values by a loop, which beats the native call's fixed cost. */
function copyInto(dst: Buffer, at: number, src: Buffer): void {
  const n = src.length;
  if (n <= 32) for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
  else src.copy(dst, at);
}
