import type { CacheItem } from '../domain/item.js';
import { then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** touch: new expiry (protocol seconds) for a live item. */
export class TouchUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** True when a live item was touched. */
  touch(key: string, exptime: number): MaybePromise<boolean> {
    return then(this.touchItem(key, exptime), isHit);
  }

  /**
   * The touched item (its flags and cas are what the binary protocol
   * answers with), or undefined on a miss. Its value is not to be read: an
   * exptime in the past leaves the item already expired.
   */
  touchItem(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const { ctx } = this;
    return then(ctx.store.touch(key, ctx.expiry(exptime)), (item) => {
      ctx.stats.cmd_touch++;
      if (item) ctx.stats.touch_hits++;
      else ctx.stats.touch_misses++;
      return item;
    });
  }
}

function isHit(item: CacheItem | undefined): boolean {
  return item !== undefined;
}
