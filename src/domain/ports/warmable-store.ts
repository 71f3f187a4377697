import type { CacheItem } from '../item.js';
import type { CacheStore } from './cache-store.js';

/** A disk tier that can list its newest items for warming the memory tier. */
export interface WarmableStore extends CacheStore {
  /**
   * Live items, newest written first, while their key + value bytes (+
   * `perItemOverhead` each) fit in `limitBytes`.
   */
  warmEntries(limitBytes: number, perItemOverhead?: number): AsyncIterable<CacheItem>;
}
export const WarmableStore = Symbol('WarmableStore');

/**
 * A store that answers every call at once (the memory tier): the tiered
 * store relies on it so that a read-modify-write never waits between tiers.
 */
export interface SyncCacheStore extends CacheStore {
  get(key: string): CacheItem | undefined;
  set(item: CacheItem): boolean;
  delete(key: string): boolean;
  touch(key: string, exptime: number): CacheItem | undefined;
  clear(): void;
}
export const SyncCacheStore = Symbol('SyncCacheStore');
