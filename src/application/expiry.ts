import { then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** When an expiry change applies, compared with the key's current expiry (none = infinitely far). */
export interface ExpireConditions {
  /** Only when the key has no expiry. */
  ifNone?: boolean;
  /** Only when the key has an expiry. */
  ifSet?: boolean;
  /** Only when the new expiry is later than the current one. */
  ifLater?: boolean;
  /** Only when the new expiry is earlier than the current one. */
  ifEarlier?: boolean;
}

const ALWAYS: ExpireConditions = {};

/** Expiry questions and changes in milliseconds, on absolute epoch-ms times. */
export class ExpiryUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** The clock the expiries are measured against (epoch ms). */
  now(): number {
    return this.ctx.clock.now();
  }

  /** The key's absolute expiry in epoch ms, 0 when it has none, undefined when there is no such key. */
  expiryOf(key: string): MaybePromise<number | undefined> {
    return then(this.ctx.store.get(key), (item) => item?.exptime);
  }

  /**
   * Gives a live key the expiry `whenMs` when `conditions` allow; a time
   * already past removes the key. True when the key was changed or removed.
   */
  expireAt(key: string, whenMs: number, conditions: ExpireConditions = ALWAYS): MaybePromise<boolean> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item): MaybePromise<boolean> => {
      if (!item) return false;
      const current = item.exptime;
      if (conditions.ifNone && current !== 0) return false;
      if (conditions.ifSet && current === 0) return false;
      if (conditions.ifLater && (current === 0 || whenMs <= current)) return false;
      if (conditions.ifEarlier && current !== 0 && whenMs >= current) return false;
      if (whenMs <= ctx.clock.now()) {
        return then(ctx.store.delete(key), () => {
          ctx.stats.delete_hits++;
          return true;
        });
      }
      return this.touch(key, whenMs);
    });
  }

  /** Removes the key's expiry; true when it had one. */
  persist(key: string): MaybePromise<boolean> {
    return then(this.ctx.store.get(key), (item) => (item && item.exptime !== 0 ? this.touch(key, 0) : false));
  }

  private touch(key: string, exptime: number): MaybePromise<boolean> {
    const { ctx } = this;
    return then(ctx.store.touch(key, exptime), (item) => {
      ctx.stats.cmd_touch++;
      if (item) ctx.stats.touch_hits++;
      else ctx.stats.touch_misses++;
      return item !== undefined;
    });
  }
}
