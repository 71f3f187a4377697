import { makeItem, type CacheItem } from '../domain/item.js';
import { isPromise, then, type MaybePromise } from '../domain/maybe-promise.js';
import type { CacheStore, StoreLayout, StoreStats } from '../domain/ports/cache-store.js';
import type { Lifecycle } from '../domain/ports/lifecycle.js';
import { Progress } from '../domain/progress.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Scheduler } from '../domain/ports/scheduler.js';
import type { SyncCacheStore, WarmableStore } from '../domain/ports/warmable-store.js';

/** Where the start-up warm-up of the memory tier stands. */
export interface WarmProgress {
  /** Items copied into memory. */
  loaded: number;
  /** Key + value bytes copied. */
  bytes: number;
  running: boolean;
  /** Estimated seconds left; 0 once done. */
  etaSeconds: number;
}

export interface TieringOptions {
  /** Values larger than this live only in the disk tier, so they cannot exhaust memory. */
  largeValueThreshold: number;
  /**
   * Acknowledge a write only once the disk tier has applied it (with the
   * disk tier's sync setting, that means fsynced). Otherwise writes are
   * acknowledged from memory and reach the disk in order shortly after.
   */
  durableAcks: boolean;
  /** Bytes of the memory tier to fill from disk at start (0 = no warm-up). */
  warmBytes: number;
}

/**
 * Memory over disk, write-through: every write goes to the disk tier in
 * order (its queue batches them); reads try memory, then disk, promoting
 * hits. Items evicted from memory stay on disk. Because the disk tier answers
 * reads synchronously (LevelDB getSync plus its pending-write overlay), a
 * read-modify-write command never interleaves with another connection's
 * write, so nothing is lost between tiers.
 */
export class TieredCacheStore implements CacheStore, Lifecycle {
  readonly name = 'tiered';
  private l1Hits = 0;
  private l1Misses = 0;
  private warming = false;
  private stopped = false;

  constructor(
    private readonly l1: SyncCacheStore,
    private readonly l2: WarmableStore,
    private readonly options: TieringOptions,
    private readonly logger: Logger,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
  ) {}

  /** Items and bytes copied from disk into memory so far. */
  private readonly warmed = new Progress(this.clock, 2000);

  /** Warms the memory tier in the background; start() does not wait for it. */
  async start(): Promise<void> {
    if (this.options.warmBytes <= 0) return;
    this.warming = true;
    void this.warm().finally(() => {
      this.warming = false;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /**
   * Items and bytes copied from disk into memory so far, whether the warm-up
   * still runs, and the seconds it should still take (at the rate so far,
   * to fill the memory budget or copy the disk tier, whichever is smaller).
   */
  warmProgress(): WarmProgress {
    return { loaded: this.warmed.items, bytes: this.warmed.bytes, running: this.warming, etaSeconds: this.warming ? this.eta() : 0 };
  }

  /** Lookups the memory tier answered, and those that went on to the disk tier. */
  tierCounts(): { l1Hits: number; l1Misses: number } {
    return { l1Hits: this.l1Hits, l1Misses: this.l1Misses };
  }

  get(key: string): MaybePromise<CacheItem | undefined> {
    const hit = this.l1.get(key);
    if (hit !== undefined) {
      this.l1Hits++;
      return hit;
    }
    this.l1Misses++;
    const r = this.l2.get(key);
    return isPromise(r) ? r.then((item) => this.promote(item)) : this.promote(r);
  }

  set(item: CacheItem): MaybePromise<boolean> {
    const large = item.value.length > this.options.largeValueThreshold;
    let inMemory = false;
    if (large) this.l1.delete(item.key);
    else inMemory = this.l1.set(item);
    const onDisk = this.l2.set(item);
    if (!isPromise(onDisk)) return inMemory || onDisk;
    if (this.options.durableAcks) return onDisk.then((ok) => inMemory || ok);
    onDisk.catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'L2 write failed'));
    return true;
  }

  delete(key: string): MaybePromise<boolean> {
    const inMemory = this.l1.delete(key);
    const onDisk = this.l2.delete(key);
    if (!isPromise(onDisk)) return inMemory || onDisk;
    // A Promise means the disk tier held a live item.
    if (this.options.durableAcks) return onDisk.then(() => true);
    onDisk.catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'L2 delete failed'));
    return true;
  }

  touch(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const inMemory = this.l1.touch(key, exptime);
    return then(this.l2.touch(key, exptime), (onDisk) => inMemory ?? this.promote(onDisk));
  }

  clear(): MaybePromise<void> {
    this.l1.clear();
    return this.l2.clear();
  }

  async *keys(): AsyncIterable<string> {
    const seen = new Set<string>();
    for await (const k of this.l2.keys()) {
      seen.add(k);
      yield k;
    }
    for await (const k of this.l1.keys()) if (!seen.has(k)) yield k;
  }

  /**
   * memcached's view: items and evictions are the cache's as a whole (the
   * disk tier holds every item; only its evictions lose data); bytes and the
   * limit are the memory tier's.
   */
  stats(): StoreStats {
    const m = this.l1.stats();
    const d = this.l2.stats();
    return {
      items: Math.max(d.items, m.items),
      bytes: m.bytes,
      limitBytes: m.limitBytes,
      evictions: d.evictions,
      expired: m.expired + d.expired,
      totalItems: d.totalItems,
    };
  }

  /** The memory tier's size classes (the disk tier has none). */
  layout(): StoreLayout {
    return this.l1.layout?.() ?? { classes: [], mallocedBytes: 0 };
  }

  /** The memory tier's class for it (also for an item held on disk only: the class it takes when read back). */
  sizeClassOf(keyLength: number, valueLength: number): number {
    return this.l1.sizeClassOf?.(keyLength, valueLength) ?? 1;
  }

  /** Copies a disk hit into memory unless it is a large value. */
  private promote(item: CacheItem | undefined): CacheItem | undefined {
    if (item !== undefined && item.value.length <= this.options.largeValueThreshold) this.l1.set(item);
    return item;
  }

  /**
   * Fills free memory only: evicting would push out the newer items loaded
   * just before (the disk tier yields newest first) or a client's items: the
   * memory tier says whether an item fits, and any eviction (a tier that
   * cannot say) stops the warm-up.
   */
  private async warm(): Promise<void> {
    this.warmed.start();
    try {
      for await (const item of this.l2.warmEntries(this.options.warmBytes)) {
        if (this.stopped) return;
        if (item.value.length > this.options.largeValueThreshold) continue;
        // A client may have written the key since start: never overwrite newer data.
        const current = this.l1.get(item.key);
        if (current !== undefined) continue;
        if (this.l1.fits !== undefined && !this.l1.fits(item.key, item.value.length)) return;
        const evictionsBefore = this.l1.stats().evictions;
        this.l1.set(makeItem(item.key, item.value, item.flags, item.exptime, item.cas));
        if (this.l1.stats().evictions > evictionsBefore) return;
        this.warmed.add(item.key.length + item.value.length);
        // Let requests run between items: warm-up must not delay serving.
        if (this.warmed.items % 256 === 0) {
          this.logProgress();
          await this.scheduler.soon();
        }
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'L1 warm-up stopped early');
    } finally {
      this.logger.info({ items: this.warmed.items, bytes: this.warmed.bytes, seconds: this.warmed.seconds() }, 'L1 warm-up done');
    }
  }

  /** One progress line every 2 s: items and bytes loaded, rate, ETA. */
  private logProgress(): void {
    if (!this.warmed.logDue()) return;
    const { items, bytes } = this.warmed;
    this.logger.info({ items, bytes, itemsPerSecond: Math.round(this.warmed.itemsPerSecond()), etaSeconds: Math.round(this.eta()) }, 'L1 warm-up progress');
  }

  /** Seconds left to fill the memory budget or copy the disk tier, whichever is smaller. */
  private eta(): number {
    return this.warmed.etaSeconds(Math.min(this.options.warmBytes, this.l2.stats().bytes));
  }
}
