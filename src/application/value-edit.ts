import { makeItem, type CacheItem } from '../domain/item.js';
import { isPromise, then, type MaybePromise } from '../domain/maybe-promise.js';
import { itemTotalSize } from '../domain/rules.js';
import { MAX_I64, MIN_I64, parseSignedDecimal, signedDecimalBytes } from '../domain/signed-decimal.js';
import type { CacheContext } from './cache-context.js';

/** How a write treats the key's expiry. */
export type ExpiryChoice =
  /** Absolute epoch ms; 0 = never expires. */
  | number
  /** Keep whatever expiry the key has. */
  | 'keep';

/** Options of a conditional write (`write`). */
export interface WriteOptions {
  /** Write only when the key is absent / present. */
  only?: 'absent' | 'present';
  expiry: ExpiryChoice;
  /** Also return the previous value (copied). */
  returnOld?: boolean;
}

/** What `write` did. */
export interface WriteResult {
  readonly outcome: 'written' | 'skipped' | 'too-large' | 'no-memory';
  /** The previous value when asked for and there was one. */
  readonly old?: Buffer;
}

/** Why a counter could not change. */
export type CounterFailure = 'not-integer' | 'overflow' | 'no-memory';

/** Why a byte edit could not happen. */
export type EditFailure = 'too-large' | 'no-memory';

/**
 * Value edits whose rules are not memcached's: writes conditioned on
 * presence that may keep the expiry or return the old value, get-and-delete,
 * appends that create the key, byte-range overwrites and signed 64-bit
 * counters that start from 0. Items written here are ordinary items (flags 0
 * unless kept), counted in the same stats.
 */
export class ValueEditUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /** True when a key and value of these lengths are within the item size limit. */
  fits(keyLength: number, valueLength: number): boolean {
    return itemTotalSize(keyLength, valueLength, 0) <= this.ctx.settings.itemSizeMax;
  }

  /** Sets a value under `options`; the old item is read first only when the options need it. */
  write(key: string, value: Buffer, options: WriteOptions): MaybePromise<WriteResult> {
    const { ctx } = this;
    if (!this.fits(key.length, value.length)) return { outcome: 'too-large' };
    const needsOld = options.only !== undefined || options.expiry === 'keep' || options.returnOld === true;
    if (!needsOld) return this.save(key, value, 0, options.expiry as number, undefined);
    return then(ctx.store.get(key), (item) => {
      // The old value may be a view the write below reuses: copy it first.
      const old = options.returnOld && item ? Buffer.from(item.value) : undefined;
      if ((options.only === 'absent' && item) || (options.only === 'present' && !item)) return { outcome: 'skipped' as const, old };
      const expiry = options.expiry === 'keep' ? (item?.exptime ?? 0) : options.expiry;
      return this.save(key, value, 0, expiry, old);
    });
  }

  /** Several plain writes (no expiry), all or nothing when `onlyIfNoneExists`. */
  writeMany(keys: readonly string[], values: readonly Buffer[], onlyIfNoneExists: boolean): MaybePromise<WriteResult> {
    const { ctx } = this;
    for (let i = 0; i < keys.length; i++) if (!this.fits(keys[i]!.length, values[i]!.length)) return { outcome: 'too-large' };
    const writeAll = (i: number): MaybePromise<WriteResult> => {
      for (; i < keys.length; i++) {
        const r = this.save(keys[i]!, values[i]!, 0, 0, undefined);
        if (isPromise(r)) return r.then(() => writeAll(i + 1));
      }
      return { outcome: 'written' };
    };
    if (!onlyIfNoneExists) return writeAll(0);
    const check = (i: number): MaybePromise<WriteResult> => {
      for (; i < keys.length; i++) {
        const r = ctx.store.get(keys[i]!);
        if (isPromise(r)) return r.then((item) => (item ? { outcome: 'skipped' as const } : check(i + 1)));
        if (r) return { outcome: 'skipped' };
      }
      return writeAll(0);
    };
    return check(0);
  }

  /** Reads and removes the key; the value returned is a copy. Counted as a get and a delete. */
  take(key: string): MaybePromise<Buffer | undefined> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item) => {
      ctx.stats.cmd_get++;
      if (!item) {
        ctx.stats.get_misses++;
        return undefined;
      }
      ctx.stats.get_hits++;
      const value = Buffer.from(item.value);
      return then(ctx.store.delete(key), () => {
        ctx.stats.delete_hits++;
        return value;
      });
    });
  }

  /** Appends to the value, creating the key when missing; the new length. */
  append(key: string, tail: Buffer): MaybePromise<number | EditFailure> {
    return then(this.ctx.store.get(key), (item) => {
      const length = (item?.value.length ?? 0) + tail.length;
      if (!this.fits(key.length, length)) return 'too-large' as const;
      const joined = item ? Buffer.concat([item.value, tail], length) : Buffer.from(tail);
      return this.saveKeeping(item, key, joined, length);
    });
  }

  /**
   * Overwrites bytes from `offset`, zero-padding a shorter value (or a
   * missing key); the new length. Writing nothing changes nothing.
   */
  setRange(key: string, offset: number, bytes: Buffer): MaybePromise<number | EditFailure> {
    return then(this.ctx.store.get(key), (item) => {
      const oldLength = item?.value.length ?? 0;
      if (bytes.length === 0) return oldLength;
      const length = Math.max(oldLength, offset + bytes.length);
      if (!this.fits(key.length, length)) return 'too-large' as const;
      const value = Buffer.alloc(length);
      if (item) item.value.copy(value);
      bytes.copy(value, offset);
      return this.saveKeeping(item, key, value, length);
    });
  }

  /**
   * Adds `delta` to a canonical signed 64-bit decimal value (a missing key
   * counts as 0 and is created without expiry); the new value. Keeps flags
   * and expiry. Counted as incr (delta >= 0) or decr hits and misses.
   */
  addSigned(key: string, delta: bigint): MaybePromise<bigint | CounterFailure> {
    const { ctx } = this;
    return then(ctx.store.get(key), (item): MaybePromise<bigint | CounterFailure> => {
      const incr = delta >= 0n;
      let current = 0n;
      if (item) {
        const parsed = parseSignedDecimal(item.value);
        if (parsed === undefined) return 'not-integer';
        current = parsed;
      }
      const next = current + delta;
      if (next > MAX_I64 || next < MIN_I64) return 'overflow';
      if (incr) {
        if (item) ctx.stats.incr_hits++;
        else ctx.stats.incr_misses++;
      } else if (item) ctx.stats.decr_hits++;
      else ctx.stats.decr_misses++;
      const bytes = signedDecimalBytes(next);
      return then(ctx.store.set(makeItem(key, bytes, item?.flags ?? 0, item?.exptime ?? 0, ctx.cas.next())), (ok) => {
        if (ok) return next;
        ctx.stats.store_no_memory++;
        return 'no-memory' as const;
      });
    });
  }

  private saveKeeping(item: CacheItem | undefined, key: string, value: Buffer, length: number): MaybePromise<number | EditFailure> {
    const { ctx } = this;
    ctx.stats.cmd_set++;
    return then(ctx.store.set(makeItem(key, value, item?.flags ?? 0, item?.exptime ?? 0, ctx.cas.next())), (ok) => {
      if (ok) return length;
      ctx.stats.store_no_memory++;
      return 'no-memory' as const;
    });
  }

  private save(key: string, value: Buffer, flags: number, expiry: number, old: Buffer | undefined): MaybePromise<WriteResult> {
    const { ctx } = this;
    ctx.stats.cmd_set++;
    return then(ctx.store.set(makeItem(key, value, flags, expiry, ctx.cas.next())), (ok): WriteResult => {
      if (ok) return { outcome: 'written', old };
      ctx.stats.store_no_memory++;
      return { outcome: 'no-memory', old };
    });
  }
}
