import { makeItem, type CacheItem } from '../domain/item.js';
import { then, type MaybePromise } from '../domain/maybe-promise.js';
import { remainingTtlSeconds } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';
import type { DeleteOptions, DeleteOutcome, DeletionUseCase } from './deletion.js';

/** The item-changing flags of a meta get (memcached 1.6 `mg`). */
export interface MetaGetOptions {
  /** T: new exptime (protocol seconds) on a hit. */
  touchExptime?: number;
  /** N: on a miss create an empty item with this exptime; the caller wins the recache. */
  vivifyExptime?: number;
  /** R: win the recache when the remaining TTL is below this (protocol exptime). */
  recacheExptime?: number;
  /**
   * T comes before R in the request: memcached handles both flag by flag, so
   * R then judges the TTL T just set rather than the item's old one.
   */
  recacheAfterTouch?: boolean;
  /** E: the cas of an item created by N. */
  newCas?: number;
  /** u: no LRU bump, so the item is neither marked fetched nor accessed (memcached's no_update). */
  noBump?: boolean;
  /**
   * The reply fails after the lookup (memcached finds an over-long opaque
   * while writing it): no win is handed out, as memcached sets that bit only
   * once W is written.
   */
  noWin?: boolean;
}

/** A meta get hit, with the bits memcached reports about it. */
export interface MetaGetHit {
  item: CacheItem;
  /** N created the item just now. */
  created: boolean;
  /** W: this request won the right to recache. */
  won: boolean;
  /** X: the item is stale (md I or a stale ms). */
  stale: boolean;
  /** Z: a win was already handed out for this version. */
  tokenSent: boolean;
  /** h: fetched before this request. */
  hitBefore: boolean;
  /** l: seconds since the last access before this request. */
  lastAccessSeconds: number;
  /** t before and after T/N changed the expiry (-1 = never expires). */
  ttlBefore: number;
  ttlAfter: number;
  /** The item was stored by `ms` with a base64 key (see ItemMetaBits.binaryKey). */
  binaryKey: boolean;
}

/**
 * The meta commands' read-side semantics (stale, win, recache, vivify) over
 * the same use-cases and store the classic commands use; meta set, delete
 * and arithmetic are the storage, deletion and arithmetic use-cases' `...With`
 * methods.
 */
export class MetaUseCase {
  constructor(
    private readonly ctx: CacheContext,
    private readonly deletion: DeletionUseCase,
  ) {}

  /** Turns on the per-item bookkeeping classic commands then also feed (h, l). */
  activate(): void {
    this.ctx.itemMeta.tracking = true;
  }

  /** mg: the hit (possibly created by N) or undefined on a miss. Counts as a get (and a touch with T). */
  get(key: string, options: MetaGetOptions): MaybePromise<MetaGetHit | undefined> {
    const { ctx } = this;
    ctx.itemMeta.tracking = true;
    return then(ctx.store.get(key), (item): MaybePromise<MetaGetHit | undefined> => {
      const { stats } = ctx;
      stats.cmd_get++;
      if (ctx.prefixStats.enabled) ctx.prefixStats.recordGet(key, item !== undefined);
      const now = ctx.clock.now();
      if (item === undefined) {
        stats.get_misses++;
        if (options.vivifyExptime === undefined) return undefined;
        const expiry = this.ctx.expiry(options.vivifyExptime, now);
        const created = makeItem(key, Buffer.alloc(0), 0, expiry, options.newCas ?? ctx.cas.next());
        ctx.itemMeta.stored(key, created.cas, now, false, options.noWin !== true);
        // memcached marks the stub fetched by the request that created it (its delayed bump).
        const bits = ctx.itemMeta.ensure(key, created.cas, now);
        if (!options.noBump) bits.fetched = true;
        return then(ctx.store.set(created), (ok) =>
          ok
            ? {
                item: created,
                created: true,
                won: true,
                stale: false,
                tokenSent: false,
                hitBefore: false,
                lastAccessSeconds: 0,
                ttlBefore: -1,
                ttlAfter: remainingTtlSeconds(expiry, now),
                binaryKey: false,
              }
            : undefined,
        );
      }
      stats.get_hits++;
      const bits = ctx.itemMeta.ensure(key, item.cas, now);
      const hitBefore = bits.fetched;
      const lastAccessSeconds = Math.max(0, Math.floor((now - bits.lastAccessMs) / 1000));
      // Read before T: a store may update the item it handed out in place.
      const exptimeBefore = item.exptime;
      const ttlBefore = remainingTtlSeconds(exptimeBefore, now);
      let exptime = item.exptime;
      let touched: MaybePromise<unknown>;
      if (options.touchExptime !== undefined) {
        exptime = this.ctx.expiry(options.touchExptime, now);
        stats.cmd_touch++;
        stats.touch_hits++;
        touched = ctx.store.touch(key, exptime);
      }
      const tokenSent = bits.tokenSent;
      let won = false;
      // memcached compares whole seconds: the remaining TTL (as `t` shows it) against R.
      const judged = options.recacheAfterTouch ? exptime : exptimeBefore;
      if (
        options.recacheExptime !== undefined &&
        !tokenSent &&
        judged !== 0 &&
        remainingTtlSeconds(judged, now) < remainingTtlSeconds(this.ctx.expiry(options.recacheExptime, now), now)
      ) {
        won = true;
      }
      if (bits.stale && !tokenSent) won = true;
      if (won && !options.noWin) bits.tokenSent = true;
      if (!options.noBump) {
        bits.fetched = true;
        bits.lastAccessMs = now;
      }
      const hit: MetaGetHit = {
        item,
        created: false,
        won,
        stale: bits.stale,
        tokenSent,
        hitBefore,
        lastAccessSeconds,
        ttlBefore,
        ttlAfter: remainingTtlSeconds(exptime, now),
        binaryKey: bits.binaryKey === true,
      };
      return then(touched, () => hit);
    });
  }

  /**
   * md: the deletion use-case, plus what memcached keeps through `md I`:
   * it gives the same item a new cas and marks it stale, so whether it was
   * fetched and when it was last accessed (`mg h`, `mg l`, `me`) carry over.
   */
  delete(key: string, options: DeleteOptions): MaybePromise<DeleteOutcome> {
    const { ctx, deletion } = this;
    if (!options.invalidate) return deletion.deleteWith(key, options);
    return then(ctx.store.get(key), (item) => {
      const before = item === undefined ? undefined : ctx.itemMeta.get(key, item.cas);
      const access = before === undefined ? undefined : { fetched: before.fetched, lastAccessMs: before.lastAccessMs, binaryKey: before.binaryKey };
      return then(deletion.deleteWith(key, options), (outcome) => {
        if (outcome === 'deleted' && access !== undefined) ctx.itemMeta.carryAccess(key, access);
        return outcome;
      });
    });
  }

  /** ms with a base64 key stored this version (memcached's ITEM_KEY_BINARY). */
  storedWithBinaryKey(key: string, cas: number): void {
    const { ctx } = this;
    ctx.itemMeta.ensure(key, cas, ctx.clock.now()).binaryKey = true;
  }

  /** A new expiry for a live item (ma T/N after the arithmetic); -1 TTL means never. */
  retime(key: string, exptime: number): MaybePromise<number> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const expiry = this.ctx.expiry(exptime, now);
    return then(ctx.store.touch(key, expiry), () => remainingTtlSeconds(expiry, now));
  }

  /** Remaining TTL in memcached's terms for an absolute expiry. */
  ttl(expiry: number): number {
    return remainingTtlSeconds(expiry, this.ctx.clock.now());
  }

  /** The TTL an item would have after getting this exptime (protocol seconds). */
  ttlFor(exptime: number): number {
    const now = this.ctx.clock.now();
    return remainingTtlSeconds(this.ctx.expiry(exptime, now), now);
  }

  /** me: memcached's debug view of an item, without counting a get. */
  debug(key: string): MaybePromise<{ item: CacheItem; ttl: number; lastAccessSeconds: number; fetched: boolean; sizeClass: number } | undefined> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item) => {
      if (item === undefined) return undefined;
      const now = ctx.clock.now();
      const bits = ctx.itemMeta.get(key, item.cas);
      return {
        item,
        ttl: remainingTtlSeconds(item.exptime, now),
        lastAccessSeconds: bits ? Math.max(0, Math.floor((now - bits.lastAccessMs) / 1000)) : 0,
        fetched: bits?.fetched ?? false,
        // The class `stats slabs` and metadump number it by (1 for a store without classes).
        sizeClass: ctx.store.sizeClassOf?.(key.length, item.value.length) ?? 1,
      };
    });
  }
}
