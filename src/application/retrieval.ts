import type { CacheItem } from '../domain/item.js';
import { isPromise, then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** get / gets / gat / gats, one key at a time (front ends loop over multi-key requests). */
export class RetrievalUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** The live item or undefined; counts a get hit or miss. */
  get(key: string): MaybePromise<CacheItem | undefined> {
    const r = this.ctx.store.get(key);
    // Branch instead of then(): a memory hit must not allocate a closure.
    return isPromise(r) ? r.then((item) => this.countGet(key, item)) : this.countGet(key, r);
  }

  /** Fetches and sets a new expiry (exptime in protocol seconds); counts as a touch. */
  getAndTouch(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const { ctx } = this;
    return then(ctx.store.touch(key, ctx.expiry(exptime)), (item) => {
      ctx.stats.cmd_touch++;
      if (item) {
        ctx.stats.touch_hits++;
        ctx.stats.get_hits++;
      } else {
        ctx.stats.touch_misses++;
        ctx.stats.get_misses++;
      }
      if (ctx.prefixStats.enabled) ctx.prefixStats.recordGet(key, item !== undefined);
      if (item && ctx.itemMeta.tracking) ctx.itemMeta.fetched(key, item.cas, ctx.clock.now());
      return item;
    });
  }

  /** True when `key` holds a live item; counts nothing (the library's containsKey). */
  contains(key: string): MaybePromise<boolean> {
    return then(this.ctx.store.get(key), (item) => item !== undefined);
  }

  /** Live keys (latin1), in no particular order; counts nothing. */
  keys(): AsyncIterable<string> {
    return this.ctx.store.keys();
  }

  private countGet(key: string, item: CacheItem | undefined): CacheItem | undefined {
    const { stats, prefixStats, itemMeta } = this.ctx;
    stats.cmd_get++;
    if (item) {
      stats.get_hits++;
      if (itemMeta.tracking) itemMeta.fetched(key, item.cas, this.ctx.clock.now());
    } else {
      stats.get_misses++;
    }
    if (prefixStats.enabled) prefixStats.recordGet(key, item !== undefined);
    if (this.ctx.logging.commands) this.ctx.logging.logger.debug({ cmd: 'get', key, hit: item !== undefined }, 'get');
    return item;
  }
}
