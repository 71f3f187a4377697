import { makeItem, type CacheItem } from '../domain/item.js';
import { isPromise, then, type MaybePromise } from '../domain/maybe-promise.js';
import { expiryFromExptime, itemTotalSize } from '../domain/rules.js';
import type { CacheContext } from './cache-context.js';

/** The storage commands; values match memcached's NREAD_* order for readability only. */
export const enum StoreMode {
  Set = 1,
  Add = 2,
  Replace = 3,
  Append = 4,
  Prepend = 5,
  Cas = 6,
}

/** Outcome of a storage command; each front end maps it to its own reply. */
export type StoreOutcome = 'stored' | 'not-stored' | 'exists' | 'not-found' | 'no-memory';

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
   * only read for `Cas`. The value Buffer is owned by the store afterwards.
   */
  store(mode: StoreMode, key: string, flags: number, exptime: number, value: Buffer, casUnique: number): MaybePromise<StoreOutcome> {
    const { ctx } = this;
    ctx.stats.cmd_set++;
    if (ctx.prefixStats.enabled) ctx.prefixStats.recordSet(key);
    if (mode === StoreMode.Set) {
      return this.write(key, value, flags, this.expiry(exptime));
    }
    return then(ctx.store.get(key), (old) => this.conditional(mode, old, key, flags, exptime, value, casUnique));
  }

  private conditional(
    mode: StoreMode,
    old: CacheItem | undefined,
    key: string,
    flags: number,
    exptime: number,
    value: Buffer,
    casUnique: number,
  ): MaybePromise<StoreOutcome> {
    const { stats } = this.ctx;
    switch (mode) {
      case StoreMode.Add:
        return old ? 'not-stored' : this.write(key, value, flags, this.expiry(exptime));
      case StoreMode.Replace:
        return old ? this.write(key, value, flags, this.expiry(exptime)) : 'not-stored';
      case StoreMode.Append:
      case StoreMode.Prepend: {
        if (!old) return 'not-stored';
        const total = old.value.length + value.length;
        if (!this.fits(key.length, total, old.flags)) return 'not-stored';
        const joined = mode === StoreMode.Append ? Buffer.concat([old.value, value], total) : Buffer.concat([value, old.value], total);
        return this.write(key, joined, old.flags, old.exptime);
      }
      case StoreMode.Cas:
        if (!old) {
          stats.cas_misses++;
          return 'not-found';
        }
        if (old.cas !== casUnique) {
          stats.cas_badval++;
          return 'exists';
        }
        stats.cas_hits++;
        return this.write(key, value, flags, this.expiry(exptime));
      default:
        return this.write(key, value, flags, this.expiry(exptime));
    }
  }

  private expiry(exptime: number): number {
    return expiryFromExptime(exptime, this.ctx.clock.now(), this.ctx.settings.processStartMs);
  }

  private write(key: string, value: Buffer, flags: number, expiry: number): MaybePromise<StoreOutcome> {
    const ok = this.ctx.store.set(makeItem(key, value, flags, expiry, this.ctx.cas.next()));
    return isPromise(ok) ? ok.then((stored) => this.outcome(stored)) : this.outcome(ok);
  }

  private outcome(stored: boolean): StoreOutcome {
    if (stored) return 'stored';
    this.ctx.stats.store_no_memory++;
    return 'no-memory';
  }
}
