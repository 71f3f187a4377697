import { makeItem } from '../domain/item.js';
import { then, type MaybePromise } from '../domain/maybe-promise.js';
import { applyDelta, counterBytes, parseU64 } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** Why incr/decr did not produce a number. */
export type ArithmeticFailure = 'not-found' | 'non-numeric';

/** incr / decr on a decimal value stored in an item. */
export class ArithmeticUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** The new value, or why there is none. Flags and expiry are kept; cas changes. */
  apply(key: string, delta: bigint, incr: boolean): MaybePromise<bigint | ArithmeticFailure> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item): MaybePromise<bigint | ArithmeticFailure> => {
      if (!item) {
        if (incr) ctx.stats.incr_misses++;
        else ctx.stats.decr_misses++;
        return 'not-found';
      }
      const current = item.value.length === 0 ? undefined : parseU64(item.value);
      if (current === undefined) return 'non-numeric';
      const next = applyDelta(current, delta, incr);
      if (incr) ctx.stats.incr_hits++;
      else ctx.stats.decr_hits++;
      const bytes = counterBytes(next, item.value.length);
      return then(ctx.store.set(makeItem(key, bytes, item.flags, item.exptime, ctx.cas.next())), () => next);
    });
  }
}
