import type { CacheItem } from '../domain/item.js';
import { keyHash } from '../domain/key-hash.js';
import { isPromise, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheContext } from './cache-context.js';

/** One page of a cursor scan: the keys found and the cursor to continue from (0 = done). */
export interface ScanPage {
  readonly cursor: number;
  readonly keys: string[];
}

/** Cursors are 32-bit key hashes; this one past the last means "finished". */
const CURSOR_END = 2 ** 32;

/**
 * Whole-keyspace questions and removals, whatever the front end: existence
 * and metadata without counting a get, the number of keys, enumeration by
 * pattern and a resumable cursor scan.
 */
export class KeyspaceUseCase {
  constructor(private readonly ctx: CacheContext) {}

  /**
   * The live item without counting a get hit or miss (metadata questions:
   * type, length, existence). Its value is a view valid until the next write.
   */
  peek(key: string): MaybePromise<CacheItem | undefined> {
    return this.ctx.store.get(key);
  }

  /** Removes several keys; resolves to how many were live. Counted as deletes. */
  remove(keys: readonly string[]): MaybePromise<number> {
    const { ctx } = this;
    let removed = 0;
    const next = (i: number): MaybePromise<number> => {
      for (; i < keys.length; i++) {
        const r = ctx.store.delete(keys[i]!);
        if (isPromise(r)) return r.then((hit) => (count(hit), next(i + 1)));
        count(r);
      }
      return removed;
    };
    const count = (hit: boolean): void => {
      if (hit) {
        removed++;
        ctx.stats.delete_hits++;
      } else ctx.stats.delete_misses++;
    };
    return next(0);
  }

  /** How many of `keys` are live (a key named twice counts twice). */
  countLive(keys: readonly string[]): MaybePromise<number> {
    const { store } = this.ctx;
    let live = 0;
    const next = (i: number): MaybePromise<number> => {
      for (; i < keys.length; i++) {
        const r = store.get(keys[i]!);
        if (isPromise(r)) return r.then((item) => ((live += item ? 1 : 0), next(i + 1)));
        if (r) live++;
      }
      return live;
    };
    return next(0);
  }

  /** Items the store holds, expired ones not yet swept included (a constant-time answer). */
  size(): number {
    return this.ctx.store.stats().items;
  }

  /** Every live key that `accept` takes, in no particular order. */
  async keys(accept: (key: string) => boolean): Promise<string[]> {
    const out: string[] = [];
    for await (const key of this.ctx.store.keys()) if (accept(key)) out.push(key);
    return out;
  }

  /**
   * One page of a scan in key-hash order, starting at hash `cursor`: about
   * `count` keys (all keys sharing the last hash are included so that none is
   * skipped), then filtered by `accept`. A key live for the whole scan is
   * returned exactly once; keys added or removed meanwhile may or may not be.
   * Each page walks the whole keyspace: O(n log n) per call.
   */
  async scan(cursor: number, count: number, accept: (key: string) => boolean): Promise<ScanPage> {
    if (cursor >= CURSOR_END) return { cursor: 0, keys: [] };
    const found: { hash: number; key: string }[] = [];
    for await (const key of this.ctx.store.keys()) {
      const hash = keyHash(key);
      if (hash >= cursor) found.push({ hash, key });
    }
    found.sort((a, b) => a.hash - b.hash);
    let end = Math.min(count, found.length);
    while (end < found.length && end > 0 && found[end]!.hash === found[end - 1]!.hash) end++;
    const keys: string[] = [];
    for (let i = 0; i < end; i++) if (accept(found[i]!.key)) keys.push(found[i]!.key);
    const next = end >= found.length ? 0 : found[end - 1]!.hash + 1;
    return { cursor: next, keys };
  }
}
