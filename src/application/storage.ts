import { makeItem, type CacheItem } from '../domain/item.js';
import { isPromise, then, type MaybePromise } from '../domain/maybe-promise.js';
import { itemTotalSize } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** The storage commands; values match memcached's NREAD_* order for readability only. */
export const enum StoreMode {
  Set = 1,
  Add,
  Replace,
  Append,
  Prepend,
  Cas,
}

/** Outcome of a storage command; each front end maps it to its own reply. */
export type StoreOutcome = 'stored' | 'not-stored' | 'exists' | 'not-found' | 'no-memory';

/** What the meta set command adds to a storage command (memcached 1.6 `ms` flags). */
export interface StoreOptions {
  /** C: compare-and-swap in any mode (set/replace become cas; append/prepend check it unless 0; add ignores it). */
  compareCas?: number;
  /** I: with C, a cas older than the item's is accepted and the new value is marked stale. */
  invalidate?: boolean;
  /** E: the cas the new version gets instead of the next from the sequence. */
  newCas?: number;
  /** N: append/prepend on a miss create the item with this exptime (protocol seconds). */
  vivifyExptime?: number;
}

/** Filled in by storeWith: the cas of the version written (0 when nothing was written). */
export interface StoreReceipt {
  cas: number;
}

const NO_OPTIONS: StoreOptions = {};

/** A storage command that reads the current item before it writes (every mode but set). */
interface ConditionalStore {
  readonly mode: StoreMode;
  readonly key: string;
  readonly flags: number;
  readonly exptime: number;
  readonly value: Buffer;
  readonly compareCas: number | undefined;
  readonly options: StoreOptions;
  readonly receipt: StoreReceipt | undefined;
}

/** set / add / replace / append / prepend / cas. */
export class StorageUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** True when an item of these sizes is within the item size limit (decided before the value is read). */
  fits(keyLength: number, valueLength: number, flags: number): boolean {
    return itemTotalSize(keyLength, valueLength, flags) <= this.ctx.settings.itemSizeMax;
  }

  /**
   * Records a value refused as too large. Like memcached, a refused `set`
   * also removes the old value so stale data does not outlive a failed update.
   */
  rejectTooLarge(mode: StoreMode, key: string): MaybePromise<unknown> {
    this.ctx.stats.store_too_large++;
    return mode === StoreMode.Set ? this.ctx.store.delete(key) : undefined;
  }

  /** A storage command whose data block was malformed still counts as a set (memcached does). */
  countRejectedSet(): void {
    this.ctx.stats.cmd_set++;
  }

  /**
   * Runs a storage command. `exptime` is in protocol seconds; `casUnique` is
   * only read for `Cas`. Stores copy the value: once a synchronous call has
   * returned, the caller may reuse its memory (not while a Promise is pending).
   */
  store(mode: StoreMode, key: string, flags: number, exptime: number, value: Buffer, casUnique: number): MaybePromise<StoreOutcome> {
    return this.run(mode, key, flags, exptime, value, mode === StoreMode.Cas ? casUnique : undefined, NO_OPTIONS, undefined);
  }

  /**
   * A storage command with options (a cas to compare, the cas to give, meta
   * set's invalidate and vivify); `receipt.cas` tells the cas written (0 when
   * nothing was). Same rules and counters as `store`.
   */
  storeWith(
    mode: StoreMode,
    key: string,
    flags: number,
    exptime: number,
    value: Buffer,
    options: StoreOptions,
    receipt: StoreReceipt,
  ): MaybePromise<StoreOutcome> {
    let compareCas: number | undefined;
    if (options.compareCas !== undefined) {
      // memcached's mset: a cas upgrades set and replace to cas mode; append/prepend check it themselves; add ignores it.
      if (mode === StoreMode.Set || mode === StoreMode.Replace || mode === StoreMode.Cas) mode = StoreMode.Cas;
      if (mode !== StoreMode.Add) compareCas = options.compareCas;
    }
    receipt.cas = 0;
    return this.run(mode, key, flags, exptime, value, compareCas, options, receipt);
  }

  private run(
    mode: StoreMode,
    key: string,
    flags: number,
    exptime: number,
    value: Buffer,
    compareCas: number | undefined,
    options: StoreOptions,
    receipt: StoreReceipt | undefined,
  ): MaybePromise<StoreOutcome> {
    const { ctx } = this;
    ctx.stats.cmd_set++;
    if (ctx.prefixStats.enabled) ctx.prefixStats.recordSet(key);
    if (ctx.logging.commands) ctx.logging.logger.debug({ cmd: 'store', mode, key, bytes: value.length }, 'store');
    if (mode === StoreMode.Set) {
      return this.write(key, value, flags, ctx.expiry(exptime), this.newCas(options), receipt);
    }
    const r: ConditionalStore = { mode, key, flags, exptime, value, compareCas, options, receipt };
    return then(ctx.store.get(key), (old) => this.conditional(r, old));
  }

  private conditional(r: ConditionalStore, old: CacheItem | undefined): MaybePromise<StoreOutcome> {
    const { mode, key, flags, exptime, value, compareCas, options, receipt } = r;
    const { stats } = this.ctx;
    switch (mode) {
      case StoreMode.Add:
        return old ? 'not-stored' : this.write(key, value, flags, this.ctx.expiry(exptime), this.newCas(options), receipt);
      case StoreMode.Replace:
        return old ? this.write(key, value, flags, this.ctx.expiry(exptime), this.newCas(options), receipt) : 'not-stored';
      case StoreMode.Append:
      case StoreMode.Prepend: {
        if (!old) {
          if (options.vivifyExptime === undefined) return 'not-stored';
          return this.write(key, value, flags, this.ctx.expiry(options.vivifyExptime), this.newCas(options), receipt);
        }
        // memcached's append checks a supplied cas unless it is 0.
        if (compareCas !== undefined && compareCas !== 0 && compareCas !== old.cas) return 'exists';
        const total = old.value.length + value.length;
        if (!this.fits(key.length, total, old.flags)) return 'not-stored';
        const joined = mode === StoreMode.Append ? Buffer.concat([old.value, value], total) : Buffer.concat([value, old.value], total);
        return this.write(key, joined, old.flags, old.exptime, this.newCas(options), receipt);
      }
      case StoreMode.Cas:
        if (!old) {
          stats.cas_misses++;
          return 'not-found';
        }
        if (old.cas !== compareCas) {
          if (options.invalidate && compareCas !== undefined && compareCas < old.cas) {
            // memcached's CAS_STALE: the older writer's value is kept but marked stale, with the old expiry and win bit.
            stats.cas_hits++;
            const bits = this.ctx.itemMeta.get(key, old.cas);
            return this.write(key, value, flags, old.exptime, this.newCas(options), receipt, true, bits?.tokenSent ?? false);
          }
          stats.cas_badval++;
          return 'exists';
        }
        stats.cas_hits++;
        return this.write(key, value, flags, this.ctx.expiry(exptime), this.newCas(options), receipt);
      default:
        return this.write(key, value, flags, this.ctx.expiry(exptime), this.newCas(options), receipt);
    }
  }

  private newCas(options: StoreOptions): number {
    // Like memcached, an explicit cas does not move the sequence.
    return options.newCas ?? this.ctx.cas.next();
  }

  private write(
    key: string,
    value: Buffer,
    flags: number,
    expiry: number,
    cas: number,
    receipt: StoreReceipt | undefined,
    stale = false,
    tokenSent = false,
  ): MaybePromise<StoreOutcome> {
    const { ctx } = this;
    if (receipt !== undefined) receipt.cas = cas;
    if (ctx.itemMeta.tracking || stale) ctx.itemMeta.stored(key, cas, ctx.clock.now(), stale, tokenSent);
    const ok = ctx.store.set(makeItem(key, value, flags, expiry, cas));
    return isPromise(ok) ? ok.then((stored) => this.outcome(stored, receipt)) : this.outcome(ok, receipt);
  }

  private outcome(stored: boolean, receipt: StoreReceipt | undefined): StoreOutcome {
    if (stored) return 'stored';
    if (receipt !== undefined) receipt.cas = 0;
    this.ctx.stats.store_no_memory++;
    return 'no-memory';
  }
}
