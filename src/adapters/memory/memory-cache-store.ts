import { isExpired, makeItem, type CacheItem } from '../../domain/item.js';
import { keyHash } from '../../domain/key-hash.js';
import type { CacheStore, StoreLayout, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EvictionEntries, EvictionPolicy, EvictionPolicyFactory } from '../../domain/ports/eviction-policy.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { TimerHandle } from '../../domain/ports/scheduler.js';
import { every } from '../scheduler/periodic.js';
import { CAS, EntryTable, EXPTIME, FLAGS, HASH, LOCATION, OWN_BUFFER, VALUE_LENGTH } from './entry-table.js';
import { ExpirySweep } from './expiry-sweep.js';
import { copyInto, keyAt, keyLengthAt, keyMatches, valueStart, writePayload } from './payload-layout.js';
import { KeyIndex, type IndexedEntries } from './key-index.js';
import { PAGE_SIZE, SlabArena } from './slab-arena.js';
import { ClassCounters } from './slab-class-stats.js';
import {
  ENTRY_BASE_OVERHEAD,
  KEY_LENGTH_BYTES,
  KEY_MAX,
  OWN_BUFFER_OVERHEAD,
  RECLAIM_SLICE,
  SWEEP_SLICE,
  type MemoryStoreOptions,
} from './memory-store-options.js';

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
    this.table.setU32(id, LOCATION, addr / 8);
  });
  private readonly ownBuffers = new Map<number, Buffer>();
  /** Bytes of all own buffers (allocated outside the pages). */
  private ownBytes = 0;
  private readonly perClass = new ClassCounters(this.arena);
  private readonly expiry = new ExpirySweep(this.table, (id) => this.expire(id));
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
  private sweepTimer: TimerHandle | undefined;

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
    if (this.options.cleanupIntervalMs > 0) this.sweepTimer ??= every(this.options.cleanupIntervalMs, () => this.sweep(SWEEP_SLICE));
  }

  async stop(): Promise<void> {
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
  }

  sizeOf(id: number): number {
    return this.keyLength(id) + this.table.u32At(id, VALUE_LENGTH) + this.entryOverhead;
  }

  hashOf(id: number): number {
    return this.table.u32At(id, HASH);
  }

  keyEquals(id: number, key: string): boolean {
    return keyMatches(this.payloadPage(id), this.payloadOffset(id), key);
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
    if (this.isDead(id)) return undefined;
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
      const loc = t.u32At(old, LOCATION);
      if (cls >= 0 && loc !== OWN_BUFFER && this.arena.classOf(KEY_LENGTH_BYTES + key.length + t.u32At(old, VALUE_LENGTH)) === cls) {
        // Same chunk size: overwrite in place, so the policy keeps what it learnt about the key.
        copyInto(this.arena.page(loc * 8), valueStart(this.arena.payloadOffset(loc * 8), key.length), value);
        const grown = length - t.u32At(old, VALUE_LENGTH);
        this.bytes += grown;
        this.perClass.bytes[cls] += grown;
        this.expiry.note(item.exptime);
        t.setU32(old, VALUE_LENGTH, length);
        t.setU32(old, FLAGS, item.flags);
        t.setF64(old, EXPTIME, item.exptime);
        t.setF64(old, CAS, item.cas);
        this.totalItems++;
        // Same size (the usual rewrite): an access is all update() would do, without re-reading the size.
        if (grown === 0) this.policy.access(old);
        else this.policy.update(old);
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
    this.table.setF64(id, EXPTIME, exptime);
    this.expiry.note(exptime);
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
    this.perClass.bytes.fill(0);
    this.expiry.reset();
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    const t = this.table;
    for (let id = 0; id < t.highWater; id++) {
      if (t.isLive(id) && !isExpired(t.f64At(id, EXPTIME), now)) yield this.keyOf(id);
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

  /** `stats slabs`: the size classes holding pages, then the values with a Buffer of their own (see ClassCounters). */
  layout(): StoreLayout {
    return this.perClass.layout(this.ownBuffers.size, this.ownBytes);
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
    return this.expiry.run(this.clock.now(), budget);
  }

  /** The id of `key`'s live entry, or -1; an expired entry found on the way is removed. */
  private liveId(key: string): number {
    const id = this.index.find(key, keyHash(key));
    if (id < 0) return -1;
    if (this.isDead(id)) {
      this.expire(id);
      return -1;
    }
    return id;
  }

  /** True when entry `id` has expired; reads the clock only for an entry that has an expiry. */
  private isDead(id: number): boolean {
    const exptime = this.table.f64At(id, EXPTIME);
    return exptime !== 0 && isExpired(exptime, this.clock.now());
  }

  /** The size class slot of an entry: its arena class, or the own-buffer slot. */
  private classOfEntry(id: number): number {
    const loc = this.table.u32At(id, LOCATION);
    return loc === OWN_BUFFER ? this.perClass.ownSlot : this.arena.classAt(loc * 8);
  }

  private payloadPage(id: number): Buffer {
    const loc = this.table.u32At(id, LOCATION);
    return loc === OWN_BUFFER ? this.ownBuffers.get(id)! : this.arena.page(loc * 8);
  }

  private payloadOffset(id: number): number {
    const loc = this.table.u32At(id, LOCATION);
    return loc === OWN_BUFFER ? 0 : this.arena.payloadOffset(loc * 8);
  }

  private keyLength(id: number): number {
    return keyLengthAt(this.payloadPage(id), this.payloadOffset(id));
  }

  private keyOf(id: number): string {
    return keyAt(this.payloadPage(id), this.payloadOffset(id));
  }

  private itemOf(id: number, key: string): CacheItem {
    const t = this.table;
    const start = valueStart(this.payloadOffset(id), key.length);
    const value = this.payloadPage(id).subarray(start, start + t.u32At(id, VALUE_LENGTH));
    return makeItem(key, value, t.u32At(id, FLAGS), t.f64At(id, EXPTIME), t.f64At(id, CAS));
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
    if ((cls < 0 || !this.arena.hasSpare(cls)) && this.expiry.due(this.clock.now())) this.sweep(RECLAIM_SLICE);
    while (maxMemory > 0 && this.usedBytes + outside > maxMemory && this.evictOne()) {
      // evictOne() does the work
    }
    const t = this.table;
    const id = t.allocate();
    let buf: Buffer;
    let off: number;
    if (cls >= 0) {
      const addr = this.chunk(cls, id);
      t.setU32(id, LOCATION, addr / 8);
      buf = this.arena.page(addr);
      off = this.arena.payloadOffset(addr);
    } else {
      buf = Buffer.allocUnsafeSlow(payload);
      off = 0;
      this.ownBuffers.set(id, buf);
      this.ownBytes += payload;
      t.setU32(id, LOCATION, OWN_BUFFER);
    }
    writePayload(buf, off, key, value);
    const n = key.length;
    t.setU32(id, HASH, hash);
    t.setU32(id, VALUE_LENGTH, length);
    t.setU32(id, FLAGS, item.flags);
    t.setF64(id, EXPTIME, item.exptime);
    t.setF64(id, CAS, item.cas);
    this.index.insert(id, hash);
    this.entryBytes += outside;
    this.bytes += n + length + this.entryOverhead;
    this.perClass.bytes[cls < 0 ? this.perClass.ownSlot : cls] += n + length + this.entryOverhead;
    this.expiry.note(item.exptime);
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
    const slot = this.classOfEntry(id);
    if (isExpired(this.table.f64At(id, EXPTIME), this.clock.now())) {
      this.expired++;
      this.perClass.reclaimed[slot]++;
    } else {
      this.evictions++;
      this.perClass.evicted[slot]++;
    }
    this.drop(id);
    return true;
  }

  private expire(id: number): void {
    this.perClass.reclaimed[this.classOfEntry(id)]++;
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
    const length = t.u32At(id, VALUE_LENGTH);
    const loc = t.u32At(id, LOCATION);
    this.index.remove(id, t.u32At(id, HASH));
    let outside = this.entryOverhead;
    this.perClass.bytes[this.classOfEntry(id)] -= keyLength + length + this.entryOverhead;
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
