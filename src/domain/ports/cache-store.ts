import type { CacheItem } from '../item.js';
import type { MaybePromise } from '../maybe-promise.js';

/** Counters a store keeps about itself. */
export interface StoreStats {
  /** Live (not yet swept) items held. */
  items: number;
  /** Bytes charged for held items (key + value + per-item overhead). */
  bytes: number;
  /** Byte budget; 0 when unbounded. */
  limitBytes: number;
  /** Items removed to make room. */
  evictions: number;
  /** Items removed because they expired (lazily or by the sweep). */
  expired: number;
  /** Items ever stored. */
  totalItems: number;
}

/** One size class of a slab-allocating store, as memcached's `stats slabs` and `stats items` report it. */
export interface SlabClassStats {
  /** Class number, from 1, stable while the store is open. */
  id: number;
  chunkSize: number;
  chunksPerPage: number;
  pages: number;
  totalChunks: number;
  usedChunks: number;
  /** Freed chunks waiting for reuse. */
  freeChunks: number;
  /** Chunks of the newest page never handed out yet. */
  freeChunksEnd: number;
  /** Items held in this class. */
  items: number;
  /** Bytes charged for them (key + value + per-item overhead). */
  requestedBytes: number;
  evicted: number;
  /** Expired items removed (lazily, by the sweep or to reuse their memory). */
  reclaimed: number;
}

/** Where a store's memory is: its size classes and the bytes it allocated for them. */
export interface StoreLayout {
  /** Classes holding at least one page, by id. */
  classes: SlabClassStats[];
  /** Bytes allocated for items (pages and own buffers): memcached's `total_malloced`. */
  mallocedBytes: number;
}

/** Values shorter than this may be views of store memory that is reused (see CacheStore). */
export const SHARED_VALUE_LIMIT = 16 * 1024;

/**
 * A key/value store tier. Methods return synchronously when they can (memory)
 * and a Promise only when they must wait (disk).
 *
 * Items returned by `get` belong to the store: callers read them and build a
 * new item to change anything. Expired items are never returned.
 *
 * A returned value may be a view of memory the store reuses (the memory
 * tier's slab chunks): it is valid until the next write to the store, so
 * whoever keeps it longer copies it. Values of SHARED_VALUE_LIMIT bytes and
 * more are never rewritten in place and may be kept by reference. `set` copies or encodes
 * what it keeps; it may not keep `item.value` itself, which can be such a view.
 */
export interface CacheStore {
  readonly name: string;
  /** The live item, or undefined on a miss (expired counts as a miss). */
  get(key: string): MaybePromise<CacheItem | undefined>;
  /**
   * Stores or overwrites. Returns false when this store can never hold the
   * item (larger than its whole budget); the previous value is then removed.
   */
  set(item: CacheItem): MaybePromise<boolean>;
  /** Removes; true when a live item was there. */
  delete(key: string): MaybePromise<boolean>;
  /** Changes the expiry of a live item and returns it, or undefined on a miss. */
  touch(key: string, exptime: number): MaybePromise<CacheItem | undefined>;
  /** Removes every item. */
  clear(): MaybePromise<void>;
  /** Live keys (latin1), in no particular order. */
  keys(): AsyncIterable<string>;
  stats(): StoreStats;
  /**
   * True when an item of this key and value length can be stored now
   * without evicting anything. Optional: stores without a budget omit it.
   */
  fits?(key: string, valueLength: number): boolean;
  /** Size classes and allocated memory, for stores that allocate in classes (optional). */
  layout?(): StoreLayout;
  /** The class id (as in `layout()`) that holds an item of these lengths (optional, as layout). */
  sizeClassOf?(keyLength: number, valueLength: number): number;
}
export const CacheStore = Symbol('CacheStore');
