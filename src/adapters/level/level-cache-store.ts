import type { CacheItem } from '../../domain/item.js';
import { isExpired, makeItem } from '../../domain/item.js';
import type { MaybePromise } from '../../domain/maybe-promise.js';
import { isPromise } from '../../domain/maybe-promise.js';
import type { CacheStore, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Compressor } from '../../domain/ports/compressor.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { BatchPath, BatchableDb } from './batch-writer.js';
import { batchPath } from './batch-writer.js';
import { CompressionGate } from './compression-gate.js';
import { CounterCeiling } from './counter-ceiling.js';
import { diskKey } from './disk-key.js';
import { IndexWarmUp, newestItems } from './index-warm-up.js';
import { IndexedRecords, L2_ENTRY_OVERHEAD, printable } from './indexed-records.js';
import { openDatabase, openState } from './level-database.js';
import type { L2Stats, LevelStoreOptions } from './level-store-options.js';
import { LEVEL_STORE_DEFAULTS } from './level-store-options.js';
import { HEADER_SIZE, META_KEY, decodeHeader, encodeRecord, withExptime } from './record-codec.js';
import { NONE, WriteOrderIndex } from './write-order-index.js';
import { WriteQueue } from './write-queue.js';

export { LEVEL_STORE_DEFAULTS, type L2Stats, type LevelStoreOptions } from './level-store-options.js';
export { L2_ENTRY_OVERHEAD } from './indexed-records.js';

/** A batch stops taking writes at this size (or a quarter of the queue budget, when smaller). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * The L2 tier: a LevelDB database of binary records (see record-codec.ts),
 * with a compact in-memory index of every stored key in write order
 * (write-order-index.ts, kept by indexed-records.ts).
 *
 * - Open: the index is rebuilt by a scan that runs in the background
 *   (index-warm-up.ts, ADR 0017); until it ends, a key the index does not
 *   know yet is read from LevelDB.
 * - Reads: the index answers misses and expiry without touching the disk;
 *   hits use `getSync` (no Promise per read).
 * - Writes: applied in call order by the WriteQueue (write-queue.ts), which
 *   groups them into batches, bounds the bytes waiting, and serves readers the
 *   writes not yet applied.
 * - Budget: when the estimated bytes exceed `maxDiskSize`, the
 *   oldest-written keys are deleted first.
 */
export class LevelCacheStore implements CacheStore, Lifecycle {
  readonly name = 'level';
  /** The bounded queue of accepted writes; also the WriteBackpressure signal for the sessions. */
  readonly queue: WriteQueue;
  private readonly records: IndexedRecords;
  private readonly warmUp: IndexWarmUp;
  private batches: BatchPath | undefined;
  private open = false;
  private readonly gate = new CompressionGate();
  private totalItems = 0;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: LevelStoreOptions,
    private readonly clock: Clock,
    private readonly compressor: Compressor,
    private readonly logger: Logger,
  ) {
    const limitBytes = options.writeQueueBytes ?? LEVEL_STORE_DEFAULTS.writeQueueBytes!;
    const maxBatchBytes = limitBytes > 0 ? Math.max(64 * 1024, Math.min(MAX_BATCH_BYTES, limitBytes / 4)) : MAX_BATCH_BYTES;
    const ceiling = new CounterCeiling();
    this.queue = new WriteQueue({ sync: options.syncWrites, limitBytes, maxBatchBytes }, ceiling, logger);
    this.records = new IndexedRecords(this.queue, ceiling, clock, compressor, logger);
    this.warmUp = new IndexWarmUp(this.records, clock, logger, () => this.makeRoom());
  }

  /**
   * Opens (creating) the database and reserves cas values and write
   * sequences above every record on disk; the index is rebuilt in the
   * background (a data dir written before the bookkeeping record had
   * ceilings is scanned first, once). Starts the sweep.
   */
  async start(): Promise<void> {
    if (this.open) return;
    const db = await openDatabase(this.options);
    const r = this.records;
    r.db = db;
    this.batches = batchPath(db as unknown as BatchableDb, this.logger);
    // The bookkeeping record survives a clear: the ceilings must outlive the items.
    this.queue.attach({ write: this.batches.write, clear: () => db.clear({ gt: META_KEY }) });
    // level-supports' typings predate the getSync flag.
    r.canGetSync = (db.supports as { getSync?: boolean }).getSync === true;
    if (this.options.clearOnStartup) await db.clear({ gt: META_KEY });
    const state = await openState(db, this.logger);
    if (state.kind === 'legacy') await this.warmUp.full(db);
    else if (state.kind === 'ceilings') r.ceiling.restore(state.meta.casCeiling, state.meta.seqCeiling);
    else r.ceiling.restore(0, 0);
    // The reservation lands before any write is accepted (the ceiling is dirty until it has).
    await this.queue.flush();
    this.open = true;
    if (state.kind === 'ceilings') this.warmUp.background(db, state.meta.seqCeiling);
    else this.makeRoom();
    if (this.options.sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => this.sweep(this.options.sweepSlice ?? 10_000), this.options.sweepIntervalMs);
      this.sweepTimer.unref();
    }
    const dataDir = this.options.dataDir;
    const indexing = this.warmUp.progress().running;
    this.logger.info({ dataDir, items: r.index.count, bytes: r.bytes, maxCas: r.ceiling.highest, getSync: r.canGetSync, indexing }, 'L2 store opened');
  }

  /** Stops the sweep and the index scan, waits for every accepted write, records the exact ceilings, closes the database. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (!this.open) return;
    this.warmUp.abort();
    await this.flush();
    this.open = false;
    this.queue.attach(undefined);
    const db = this.records.db!;
    // Nothing is reserved any more: the next start continues right above what was used.
    await db.batch([this.records.ceiling.exact()], { sync: this.options.syncWrites });
    await db.close();
    this.records.db = undefined;
    this.records.clear();
  }

  /** Resolves once every write accepted so far has been applied. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** Resolves once the index knows every key on disk (the open scan has ended). */
  indexed(): Promise<void> {
    return this.warmUp.whenDone();
  }

  get(key: string): MaybePromise<CacheItem | undefined> {
    this.assertOpen();
    const r = this.records;
    r.counters.reads++;
    const p = this.queue.lookup(key);
    if (p !== undefined) return r.decode(key, p.record, true);
    const id = r.index.find(key);
    if (id === NONE) {
      // While the open scan runs, a key the index does not know yet may be on disk.
      if (!r.scanning) return r.miss();
    } else if (isExpired(r.index.exptimeOf(id), this.clock.now())) {
      r.expire(key, id);
      return r.miss();
    }
    const keyBytes = diskKey(key);
    if (r.canGetSync) {
      let record: Buffer | undefined;
      try {
        record = r.db!.getSync(keyBytes);
      } catch (err) {
        this.logger.warn({ err, key: printable(key) }, 'L2 read failed; treated as a miss');
        return r.miss();
      }
      return r.decode(key, record, false);
    }
    return r.db!.get(keyBytes).then(
      (record) => {
        // A write accepted while the read was in flight is newer than the disk.
        const later = this.queue.lookup(key);
        return later !== undefined ? r.decode(key, later.record, true) : r.decode(key, record, false);
      },
      (err: unknown) => {
        this.logger.warn({ err, key: printable(key) }, 'L2 read failed; treated as a miss');
        return r.miss();
      },
    );
  }

  set(item: CacheItem): MaybePromise<boolean> {
    this.assertOpen();
    const r = this.records;
    const key = item.key;
    const value = item.value;
    let compressorId = 0;
    let payload = value;
    if (this.options.enableCompression && value.length >= this.options.compressionThreshold && value.length > 0 && this.gate.shouldTry()) {
      const packed = this.compressor.compress(value);
      this.gate.record(value.length, packed.length);
      if (packed.length < value.length) {
        compressorId = this.compressor.id;
        payload = packed;
      }
    }
    const limit = this.options.maxDiskSize;
    const size = key.length + HEADER_SIZE + payload.length + L2_ENTRY_OVERHEAD;
    if ((limit > 0 && size > limit) || key.length > WriteOrderIndex.MAX_KEY_LENGTH) {
      r.removeAny(key);
      // The cas was issued (the memory tier may still serve it): it must not be issued again after a restart.
      r.ceiling.noteCas(item.cas);
      this.queue.schedule();
      return false;
    }
    // The record is a copy: the caller's value may be a view of L1's slab memory.
    const seq = r.ceiling.nextSeq();
    const record = encodeRecord(item, compressorId, payload, seq);
    r.counters.rawBytes += value.length;
    r.counters.compressedBytes += payload.length;
    if (compressorId !== 0) r.counters.compressedWrites++;
    this.totalItems++;
    const batch = r.put(key, item.exptime, item.cas, seq, record);
    this.makeRoom();
    return batch.done();
  }

  delete(key: string): MaybePromise<boolean> {
    this.assertOpen();
    const r = this.records;
    const id = r.index.find(key);
    if (id !== NONE) {
      if (!r.hasExpired(id, key, this.clock.now())) return r.remove(key, id).done();
      r.expire(key, id);
      return false;
    }
    if (!r.scanning) return false;
    // Not indexed yet: LevelDB says whether a live record is there; the tombstone keeps the scan from restoring it.
    let live: boolean;
    try {
      const record = r.readRecord(key);
      if (record === undefined) return false;
      live = !isExpired(decodeHeader(record).exptime, this.clock.now());
    } catch {
      live = false;
    }
    const batch = r.removeAny(key)!;
    if (live) return batch.done();
    r.expired++;
    return false;
  }

  touch(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const got = this.get(key);
    const r = this.records;
    if (isPromise(got)) {
      // A delete may have landed while the read was in flight: it must not be undone.
      const present = (): boolean => r.index.find(key) !== NONE || (r.scanning && !r.index.known(key));
      return got.then((item) => (item === undefined || !present() ? undefined : this.rewrite(item, exptime, undefined)));
    }
    if (got === undefined) return undefined;
    let record: Buffer | undefined;
    try {
      record = r.readRecord(key);
    } catch {
      record = undefined;
    }
    return this.rewrite(got, exptime, record);
  }

  /** Removes every record; writes accepted before the call are dropped, later ones kept. */
  clear(): Promise<void> {
    this.assertOpen();
    this.records.clear();
    // What the scan would still find is being deleted.
    this.warmUp.abort();
    return this.queue.clear();
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    const r = this.records;
    const index = r.index;
    for (let id = 0; id < index.idLimit; id++) {
      if (!index.isLive(id)) continue;
      const key = index.keyOf(id);
      if (!r.hasExpired(id, key, now)) yield key;
    }
  }

  /** Counts are of the keys indexed so far: while the open scan runs they grow to the exact figures. */
  stats(): StoreStats {
    const r = this.records;
    return {
      items: r.index.count,
      bytes: r.bytes,
      limitBytes: this.options.maxDiskSize,
      evictions: r.evictions,
      expired: r.expired,
      totalItems: this.totalItems,
    };
  }

  /** Disk-tier counters: reads, hits, compression ratio, the write queue, the open scan... */
  l2Stats(): L2Stats {
    const r = this.records;
    const c = r.counters;
    return {
      ...c,
      compressionRatio: c.compressedBytes > 0 ? c.rawBytes / c.compressedBytes : 1,
      compressionSkips: this.gate.skips,
      pendingWrites: this.queue.pending.size,
      queue: this.queue.stats(),
      batchFallbacks: this.batches?.fallbacks ?? 0,
      indexBytes: r.index.footprint(),
      scan: this.warmUp.progress(),
    };
  }

  /**
   * A cas at least as high as any stored (the ceiling found at open, or
   * written since), so the cas counter can resume above it and cas stays
   * unique across restarts.
   */
  maxCas(): number {
    return this.records.ceiling.highest;
  }

  /**
   * Live items, most recently written first, while their key + record bytes
   * (+ `perItemOverhead` each) fit in `limitBytes`, once the open scan has
   * ended. Meant for warming L1 at start; it walks the index, never the whole database.
   */
  async *warmEntries(limitBytes: number, perItemOverhead = 0): AsyncIterable<CacheItem> {
    if (!this.open || limitBytes <= 0) return;
    await this.warmUp.whenDone();
    if (!this.open) return;
    yield* newestItems(
      this.records,
      (key) => this.get(key),
      () => this.open,
      limitBytes,
      perItemOverhead,
      this.clock.now(),
    );
  }

  /**
   * Deletes expired records, examining at most `budget` index entries and
   * resuming where the previous slice stopped. Returns how many were removed.
   */
  sweep(budget: number): number {
    return this.open ? this.records.sweep(budget) : 0;
  }

  private rewrite(item: CacheItem, exptime: number, record: Buffer | undefined): Promise<CacheItem> {
    const updated = makeItem(item.key, item.value, item.flags, exptime, item.cas);
    const seq = this.records.ceiling.nextSeq();
    let next: Buffer | undefined;
    if (record !== undefined) {
      try {
        decodeHeader(record);
        next = withExptime(record, exptime, seq);
      } catch {
        next = undefined;
      }
    }
    if (next === undefined) next = encodeRecord(updated, 0, updated.value, seq);
    return this.records
      .put(item.key, exptime, item.cas, seq, next)
      .done()
      .then(() => updated);
  }

  private makeRoom(): void {
    this.records.makeRoom(this.options.maxDiskSize);
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('L2 store is not open');
  }
}
