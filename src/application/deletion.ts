import { makeItem, type CacheItem } from '../domain/item.js';
import { then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** What the meta delete command adds to delete (memcached 1.6 `md` flags). */
export interface DeleteOptions {
  /** C: act only when the item's cas is this. */
  compareCas?: number;
  /** I: keep the item but mark it stale with a new cas (the next reader wins the recache). */
  invalidate?: boolean;
  /** T with I: new exptime in protocol seconds. */
  invalidateExptime?: number;
  /** x: keep the item (key, flags, expiry) with an empty value. */
  removeValue?: boolean;
  /** E: the cas of the version left behind by I or x. */
  newCas?: number;
  /**
   * A cas mismatch counts nothing. memcached's binary delete does this;
   * its meta delete counts the mismatch as a delete miss (the default).
   */
  mismatchUncounted?: boolean;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'exists';

/** delete. */
export class DeletionUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** True when a live item was removed. */
  delete(key: string): MaybePromise<boolean> {
    if (this.ctx.logging.commands) this.ctx.logging.logger.debug({ cmd: 'delete', key }, 'delete');
    const { ctx } = this;
    if (ctx.prefixStats.enabled) ctx.prefixStats.recordDelete(key);
    return then(ctx.store.delete(key), (hit) => {
      if (hit) ctx.stats.delete_hits++;
      else ctx.stats.delete_misses++;
      return hit;
    });
  }

  /** delete with the meta delete options. */
  deleteWith(key: string, options: DeleteOptions): MaybePromise<DeleteOutcome> {
    const { ctx } = this;
    if (ctx.prefixStats.enabled) ctx.prefixStats.recordDelete(key);
    return then(ctx.store.get(key), (item): MaybePromise<DeleteOutcome> => {
      if (!item) {
        ctx.stats.delete_misses++;
        return 'not-found';
      }
      if (options.compareCas !== undefined && options.compareCas !== item.cas) {
        if (!options.mismatchUncounted) ctx.stats.delete_misses++;
        return 'exists';
      }
      ctx.stats.delete_hits++;
      if (!options.invalidate && !options.removeValue) return then(ctx.store.delete(key), () => 'deleted' as const);
      return then(this.rewrite(item, options), () => 'deleted' as const);
    });
  }

  /** memcached's md I / x: a new version of the item instead of its removal. */
  private rewrite(item: CacheItem, options: DeleteOptions): MaybePromise<boolean> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const exptime = options.invalidate && options.invalidateExptime !== undefined ? ctx.expiry(options.invalidateExptime, now) : item.exptime;
    const value = options.removeValue ? Buffer.alloc(0) : item.value;
    const cas = options.newCas ?? ctx.cas.next();
    const old = ctx.itemMeta.get(item.key, item.cas);
    // I marks stale and clears the win bit so the next reader wins; x alone keeps the bits.
    const stale = options.invalidate ? true : (old?.stale ?? false);
    const tokenSent = options.invalidate ? false : (old?.tokenSent ?? false);
    ctx.itemMeta.stored(item.key, cas, now, stale, tokenSent);
    return ctx.store.set(makeItem(item.key, value, item.flags, exptime, cas));
  }
}
