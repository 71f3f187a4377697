import { then, type MaybePromise } from '../domain/maybe-promise.js';
import { expiryFromExptime } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** touch: new expiry (protocol seconds) for a live item. */
export class TouchUseCase {
  constructor(private readonly ctx: CacheContext) {}

  touch(key: string, exptime: number): MaybePromise<boolean> {
    const { ctx } = this;
    const expiry = expiryFromExptime(exptime, ctx.clock.now(), ctx.settings.processStartMs);
    return then(ctx.store.touch(key, expiry), (item) => {
      ctx.stats.cmd_touch++;
      if (item) ctx.stats.touch_hits++;
      else ctx.stats.touch_misses++;
      return item !== undefined;
    });
  }
}
