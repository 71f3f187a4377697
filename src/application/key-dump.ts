import { isPromise } from '../domain/maybe-promise.js';
import { itemTotalSize } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** One live item as memcached's key listings (`lru_crawler metadump`, `stats cachedump`) describe it. */
export interface DumpedItem {
  /** The key (latin1). */
  key: string;
  /** Absolute expiry in epoch seconds; 0 = never. */
  expiresAt: number;
  /** Epoch seconds of the last access known (now when none was recorded). */
  lastAccess: number;
  cas: number;
  /** Read since it was stored (memcached's ITEM_FETCHED). */
  fetched: boolean;
  valueLength: number;
  /** Bytes memcached would charge for it (its ITEM_ntotal). */
  size: number;
  /** Stored by `ms` with a base64 key (memcached's ITEM_KEY_BINARY). */
  binaryKey: boolean;
  /** The memory tier's size class for it, as `stats slabs` / `stats items` number them (1 without classes). */
  sizeClass: number;
}

/**
 * Lists the live items for operators' key dumps. Walks the store's keys and
 * reads each item without counting a get; the store's own lookup still runs,
 * so an eviction policy sees the access, as with the admin page's inspector.
 */
export class KeyDumpUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /**
   * The largest size class id an item can have: the class that values too
   * large for any chunk take (1 when the store has no classes).
   */
  maxSizeClass(): number {
    return this.ctx.store.sizeClassOf?.(0, Number.MAX_SAFE_INTEGER) ?? 1;
  }

  async *items(): AsyncGenerator<DumpedItem> {
    const { ctx } = this;
    // fetch= and la= come from the meta bookkeeping: record reads from now on, so later dumps show them.
    ctx.itemMeta.tracking = true;
    for await (const key of ctx.store.keys()) {
      const found = ctx.store.get(key);
      const item = isPromise(found) ? await found : found;
      if (item === undefined) continue;
      const now = ctx.clock.now();
      const bits = ctx.itemMeta.get(key, item.cas);
      yield {
        key,
        expiresAt: item.exptime === 0 ? 0 : Math.floor(item.exptime / 1000),
        lastAccess: Math.floor((bits?.lastAccessMs ?? now) / 1000),
        cas: item.cas,
        fetched: bits?.fetched ?? false,
        valueLength: item.value.length,
        size: itemTotalSize(key.length, item.value.length, item.flags),
        binaryKey: bits?.binaryKey === true,
        sizeClass: ctx.store.sizeClassOf?.(key.length, item.value.length) ?? 1,
      };
    }
  }
}
