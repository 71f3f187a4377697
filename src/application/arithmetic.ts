import { makeItem, type CacheItem } from '../domain/item.js';
import { then, type MaybePromise } from '../domain/maybe-promise.js';
import { SLAB_CHUNK_MAX, applyDelta, counterBytes, itemTotalSize, parseU64 } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** Why incr/decr did not produce a number. */
export type ArithmeticFailure = 'not-found' | 'non-numeric';

/** What the meta arithmetic command adds to incr/decr (memcached 1.6 `ma` flags). */
export interface ArithmeticOptions {
  /** C: act only when the item's cas is this. */
  compareCas?: number;
  /** N: on a miss create the item with this exptime (protocol seconds) holding `initial`. */
  vivifyExptime?: number;
  /** J: the value of an item created by N (default 0). */
  initial?: bigint;
  /** E: the cas of the new version. */
  newCas?: number;
}

/** Outcome of a meta arithmetic: the new number and the item now holding it, or why not. */
export type MetaArithmeticResult =
  { status: 'ok'; value: bigint; item: CacheItem; created: boolean } | { status: ArithmeticFailure | 'exists' | 'not-stored' | 'no-memory' };

/** incr / decr on a decimal value stored in an item. */
export class ArithmeticUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** The new value, or why there is none. Flags and expiry are kept; cas changes. */
  apply(key: string, delta: bigint, incr: boolean): MaybePromise<bigint | ArithmeticFailure> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item): MaybePromise<bigint | ArithmeticFailure> => {
      if (!item) return this.miss(incr);
      if (item.value.length === 0) return 'non-numeric';
      const next = this.advance(item, delta, incr);
      if (next === undefined) return 'non-numeric';
      const updated = makeItem(key, counterBytes(next, item.value.length), item.flags, item.exptime, ctx.cas.next());
      this.recordWrite(updated, item);
      return then(ctx.store.set(updated), () => next);
    });
  }

  /** incr/decr with the meta arithmetic options. Same counters and byte rules as `apply`. */
  applyWith(key: string, delta: bigint, incr: boolean, options: ArithmeticOptions): MaybePromise<MetaArithmeticResult> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item): MaybePromise<MetaArithmeticResult> => {
      if (!item) {
        if (options.vivifyExptime === undefined) return { status: this.miss(incr) };
        // memcached's ma N: an add of the initial value; the delta is not applied.
        const initial = options.initial ?? 0n;
        const created = makeItem(key, Buffer.from(initial.toString(), 'latin1'), 0, ctx.expiry(options.vivifyExptime), options.newCas ?? ctx.cas.next());
        return this.save(created, initial, true, undefined);
      }
      // memcached's do_add_delta: empty and chunked values are non-numeric before the cas is compared; C0 compares nothing.
      if (item.value.length === 0 || itemTotalSize(key.length, item.value.length, item.flags) > SLAB_CHUNK_MAX) return { status: 'non-numeric' };
      if (options.compareCas !== undefined && options.compareCas !== 0 && options.compareCas !== item.cas) return { status: 'exists' };
      const next = this.advance(item, delta, incr);
      if (next === undefined) return { status: 'non-numeric' };
      const bytes = counterBytes(next, item.value.length);
      return this.save(makeItem(key, bytes, item.flags, item.exptime, options.newCas ?? ctx.cas.next()), next, false, item);
    });
  }

  private miss(incr: boolean): 'not-found' {
    if (incr) this.ctx.stats.incr_misses++;
    else this.ctx.stats.decr_misses++;
    return 'not-found';
  }

  /** The counter's next value (counted as a hit), or undefined when the value is not a number. */
  private advance(item: CacheItem, delta: bigint, incr: boolean): bigint | undefined {
    const current = parseU64(item.value);
    if (current === undefined) return undefined;
    if (incr) this.ctx.stats.incr_hits++;
    else this.ctx.stats.decr_hits++;
    return applyDelta(current, delta, incr);
  }

  private save(item: CacheItem, value: bigint, created: boolean, previous: CacheItem | undefined): MaybePromise<MetaArithmeticResult> {
    const { ctx } = this;
    this.recordWrite(item, previous);
    return then(ctx.store.set(item), (ok): MetaArithmeticResult => (ok ? { status: 'ok', value, item, created } : { status: 'no-memory' }));
  }

  /**
   * The meta bits of a counter's new version. memcached rewrites a number
   * in place when it fits in the old value's bytes (padded with spaces, see
   * counterBytes): the same item gets a new cas and keeps its stale, win,
   * fetched and binary-key bits and its access time. A longer number is a
   * new item with clean bits.
   */
  private recordWrite(item: CacheItem, previous: CacheItem | undefined): void {
    const { itemMeta } = this.ctx;
    if (!itemMeta.tracking) return;
    const inPlace = previous !== undefined && item.value.length === previous.value.length;
    const before = inPlace ? itemMeta.get(item.key, previous.cas) : undefined;
    itemMeta.stored(item.key, item.cas, this.ctx.clock.now(), before?.stale, before?.tokenSent);
    if (before !== undefined) itemMeta.carryAccess(item.key, before);
  }
}
