import { then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** delete. */
export class DeletionUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** True when a live item was removed. */
  delete(key: string): MaybePromise<boolean> {
    const { ctx } = this;
    if (ctx.prefixStats.enabled) ctx.prefixStats.recordDelete(key);
    return then(ctx.store.delete(key), (hit) => {
      if (hit) ctx.stats.delete_hits++;
      else ctx.stats.delete_misses++;
      return hit;
    });
  }
}
