import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { Level } from 'level';
import type { CacheItem } from '../../domain/item.js';
import { isExpired, makeItem } from '../../domain/item.js';
import type { MaybePromise } from '../../domain/maybe-promise.js';
import { isPromise } from '../../domain/maybe-promise.js';
import type { CacheStore, StoreStats } from '../../domain/ports/cache-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Compressor } from '../../domain/ports/compressor.js';
import type { Lifecycle } from '../../domain/ports/lifecycle.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { RecordHeader } from './record-codec.js';
import { HEADER_SIZE, META_KEY, decodeHeader, decodeMeta, decodeRecord, encodeMeta, encodeRecord, withExptime } from './record-codec.js';
import type { LevelOp } from './write-batch.js';
import { PendingWrite, WriteBatch } from './write-batch.js';

/** Options of the disk tier (the `[l2]` config section). */
export interface LevelStoreOptions {
  /** Directory of the LevelDB database; created when missing. */
  dataDir: string;
  /** Wipe every record when the store starts. */
  clearOnStartup: boolean;
  /** Budget for estimated stored bytes (key + record + overhead); 0 = unbounded. */
  maxDiskSize: number;
  /** fsync every batch before its writes resolve (see ADR 0004 for what `false` risks). */
  syncWrites: boolean;
  /** LevelDB memtable size in bytes; 0 = LevelDB's default (4 MiB). */
  writeBufferSize: number;
  /** LevelDB block cache in bytes; 0 = LevelDB's default (8 MiB). */
  blockCacheSize: number;
  /** Values of at least this many bytes are compressed (when enabled). */
  compressionThreshold: number;
  /** Compress large values with the injected Compressor. */
  enableCompression: boolean;
  /** LevelDB's own per-block Snappy compression. */
  levelCompression: boolean;
  /** Period of the background expiry sweep in ms; 0 disables it. */
  sweepIntervalMs: number;
  /** Index entries examined per sweep slice. */
  sweepSlice?: number;
}

/** Defaults the config layer can start from (ADR 0004 explains the choices). */
export const LEVEL_STORE_DEFAULTS: Readonly<Omit<LevelStoreOptions, 'dataDir'>> = {
  clearOnStartup: false,
  maxDiskSize: 0,
  syncWrites: false,
  writeBufferSize: 0,
  blockCacheSize: 0,
  compressionThreshold: 1024,
  enableCompression: true,
  levelCompression: false,
  sweepIntervalMs: 60_000,
  sweepSlice: 10_000,
};

/** Disk-tier counters beyond StoreStats. */
export interface L2Stats {
  /** get calls. */
  reads: number;
  /** Records written (set and touch). */
  writes: number;
  hits: number;
  misses: number;
  /** Value bytes handed to set/touch, before compression. */
  rawBytes: number;
  /** Value bytes actually stored for them (compressed or raw). */
  compressedBytes: number;
  /** rawBytes / compressedBytes; 1 when nothing was written. */
  compressionRatio: number;
  /** Records stored compressed. */
  compressedWrites: number;
  /** Corrupt records skipped (at open or on read). */
  corrupt: number;
  /** db.batch() calls issued. */
  batches: number;
  /** Failed db.batch() calls. */
  writeErrors: number;
  /** Writes accepted but not yet applied. */
  pendingWrites: number;
}

/**
 * Bytes charged per record beyond key and record: LevelDB's sequence/type
 * tag (8) plus varint lengths and amortised block index.
 */
export const L2_ENTRY_OVERHEAD = 16;

/** What the in-memory index keeps per stored key, in write order. */
class IndexEntry {
  constructor(
    /** Charged bytes: key + record + L2_ENTRY_OVERHEAD. */
    public size: number,
    public exptime: number,
    /** Original (uncompressed) value length, for warm-up budgets. */
    public valueLength: number,
  ) {}
}

/** Records collected by the open scan before they are put in write order. */
interface ScanEntry {
  key: string;
  entry: IndexEntry;
  seq: number;
}

/** Work the writer does after the batch in flight: a clear, then the batches it superseded settle. */
interface ClearJob {
  superseded: WriteBatch[];
  done: Promise<void>;
  settle: (err?: unknown) => void;
}

const SCAN_CHUNK = 1000;

/** Applies one batch of raw-byte operations. */
type BatchWriter = (ops: LevelOp[], options: { sync: boolean }) => Promise<void>;

/**
 * The database's own batch (`_batch`, abstract-level's method for
 * implementations) when it has one. The public `batch()` clones, validates
 * and re-encodes every operation on the main thread — about a quarter of the
 * CPU of a set with L2 on (docs/benchmarks.md, "Profiling findings (session 2)") —
 * for features this store does not use: hooks, sublevels, write events and
 * encodings (keys and values are already Buffers).
 */
function batchWriter(db: Level<Buffer, Buffer>): BatchWriter {
  const own = (db as unknown as { _batch?: BatchWriter })._batch;
  if (typeof own === 'function') return (ops, options) => own.call(db, ops, options);
  return (ops, options) => db.batch(ops, options);
}

/**
 * The L2 tier: a LevelDB database of binary records (see record-codec.ts),
 * with an in-memory index of every stored key in write order.
 *
 * - Reads: the index answers misses and expiry without touching the disk;
 *   hits use `getSync` (no Promise per read).
 * - Writes: applied in call order through one writer that batches everything
 *   arriving in the same tick into one `db.batch()`; only one batch is in
 *   flight, so no later write can overtake an earlier one. Until applied, a
 *   write is served to readers from the pending map.
 * - Budget: when the estimated bytes exceed `maxDiskSize`, the
 *   oldest-written keys are deleted first.
 */
export class LevelCacheStore implements CacheStore, Lifecycle {
  readonly name = 'level';
  private db: Level<Buffer, Buffer> | undefined;
  private writeBatch: BatchWriter | undefined;
  private open = false;
  private canGetSync = false;
  private readonly index = new Map<string, IndexEntry>();
  private readonly pending = new Map<string, PendingWrite>();
  private bytes = 0;
  private evictions = 0;
  private expired = 0;
  private totalItems = 0;
  private highestCas = 0;
  /** The key whose record carries `highestCas`; undefined once that record is gone. */
  private casHolder: string | undefined;
  /** The highest cas written (or queued) as the bookkeeping record. */
  private metaCas = 0;
  /** The bookkeeping record must go out with the next batch. */
  private metaDirty = false;
  private seq = 0;
  private readonly counters = {
    reads: 0,
    writes: 0,
    hits: 0,
    misses: 0,
    rawBytes: 0,
    compressedBytes: 0,
    compressedWrites: 0,
    corrupt: 0,
    batches: 0,
    writeErrors: 0,
  };

  private current = new WriteBatch();
  private busy = false;
  private scheduled = false;
  private clearJob: ClearJob | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly pumpCb = (): void => this.pump();

  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepIterator: IterableIterator<[string, IndexEntry]> | undefined;

  constructor(
    private readonly options: LevelStoreOptions,
    private readonly clock: Clock,
    private readonly compressor: Compressor,
    private readonly logger: Logger,
  ) {}

  /** Opens (creating) the database, rebuilds the index with one scan, starts the sweep. */
  async start(): Promise<void> {
    if (this.open) return;
    const dir = this.options.dataDir;
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, fsConstants.W_OK);
    } catch (err) {
      throw new Error(`L2 data_dir ${dir} is not writable: ${describeError(err)}`, { cause: err });
    }
    const db = new Level<Buffer, Buffer>(dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      compression: this.options.levelCompression,
      ...(this.options.blockCacheSize > 0 ? { cacheSize: this.options.blockCacheSize } : {}),
      ...(this.options.writeBufferSize > 0 ? { writeBufferSize: this.options.writeBufferSize } : {}),
    });
    try {
      await db.open();
    } catch (err) {
      throw new Error(`L2 data_dir ${dir} cannot be opened: ${describeError(err)}`, { cause: err });
    }
    this.db = db;
    this.writeBatch = batchWriter(db);
    // level-supports' typings predate the getSync flag.
    this.canGetSync = (db.supports as { getSync?: boolean }).getSync === true;
    if (this.options.clearOnStartup) await db.clear();
    await this.scan(db);
    this.open = true;
    this.makeRoom();
    if (this.options.sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => this.sweep(this.options.sweepSlice ?? 10_000), this.options.sweepIntervalMs);
      this.sweepTimer.unref();
    }
    this.logger.info(
      { dataDir: dir, items: this.index.size, bytes: this.bytes, maxCas: this.highestCas, getSync: this.canGetSync },
      'L2 store opened',
    );
  }

  /** Stops the sweep, waits for every accepted write, closes the database. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (!this.open) return;
    await this.flush();
    this.open = false;
    await this.db!.close();
    this.db = undefined;
    this.writeBatch = undefined;
    this.index.clear();
    this.pending.clear();
    this.sweepIterator = undefined;
  }

  /** Resolves once every write accepted so far has been applied. */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.busy) this.pump();
    return p;
  }

  get(key: string): MaybePromise<CacheItem | undefined> {
    this.assertOpen();
    this.counters.reads++;
    const p = this.pending.get(key);
    if (p !== undefined) return this.fromPending(key, p);
    const e = this.index.get(key);
    if (e === undefined) return this.miss();
    if (isExpired(e.exptime, this.clock.now())) {
      this.expireKey(key, e);
      return this.miss();
    }
    const keyBytes = Buffer.from(key, 'latin1');
    if (this.canGetSync) {
      let record: Buffer | undefined;
      try {
        record = this.db!.getSync(keyBytes);
      } catch (err) {
        this.logger.warn({ err, key: printable(key) }, 'L2 read failed; treated as a miss');
        return this.miss();
      }
      return this.finishGet(key, record);
    }
    return this.db!.get(keyBytes).then(
      (record) => {
        // A write accepted while the read was in flight is newer than the disk.
        const later = this.pending.get(key);
        return later !== undefined ? this.fromPending(key, later) : this.finishGet(key, record);
      },
      (err: unknown) => {
        this.logger.warn({ err, key: printable(key) }, 'L2 read failed; treated as a miss');
        return this.miss();
      },
    );
  }

  set(item: CacheItem): MaybePromise<boolean> {
    this.assertOpen();
    const key = item.key;
    const value = item.value;
    let compressorId = 0;
    let payload = value;
    if (this.options.enableCompression && value.length >= this.options.compressionThreshold && value.length > 0) {
      const packed = this.compressor.compress(value);
      if (packed.length < value.length) {
        compressorId = this.compressor.id;
        payload = packed;
      }
    }
    const limit = this.options.maxDiskSize;
    const size = key.length + HEADER_SIZE + payload.length + L2_ENTRY_OVERHEAD;
    if (limit > 0 && size > limit) {
      const old = this.index.get(key);
      if (old !== undefined) this.removeKey(key, old);
      // The cas was issued (the memory tier may still serve it): it must not be issued again after a restart.
      if (item.cas > this.highestCas) {
        this.highestCas = item.cas;
        this.casHolderGone();
      }
      return false;
    }
    const record = encodeRecord(item, compressorId, payload, ++this.seq);
    // Pending reads are served from `stored`: it must not alias the caller's value (a view of L1's slab memory, say).
    const storedValue = compressorId === 0 ? record.subarray(HEADER_SIZE) : Buffer.from(value);
    const stored = makeItem(key, storedValue, item.flags, item.exptime, item.cas);
    this.counters.rawBytes += value.length;
    this.counters.compressedBytes += payload.length;
    if (compressorId !== 0) this.counters.compressedWrites++;
    this.totalItems++;
    const batch = this.putRecord(stored, record);
    this.makeRoom();
    return batch.done();
  }

  delete(key: string): MaybePromise<boolean> {
    this.assertOpen();
    const e = this.index.get(key);
    if (e === undefined) return false;
    if (isExpired(e.exptime, this.clock.now())) {
      this.expireKey(key, e);
      return false;
    }
    return this.removeKey(key, e).done();
  }

  touch(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const got = this.get(key);
    if (isPromise(got)) {
      return got.then((item) => (item === undefined || !this.index.has(key) ? undefined : this.rewrite(item, exptime, undefined)));
    }
    if (got === undefined) return undefined;
    const p = this.pending.get(key);
    let record = p?.record;
    if (record === undefined) {
      try {
        record = this.db!.getSync(Buffer.from(key, 'latin1'));
      } catch {
        record = undefined;
      }
    }
    return this.rewrite(got, exptime, record);
  }

  /** Removes every record; writes accepted before the call are dropped, later ones kept. */
  clear(): Promise<void> {
    this.assertOpen();
    this.index.clear();
    this.pending.clear();
    this.bytes = 0;
    this.sweepIterator = undefined;
    // The clear removes the bookkeeping record too: write it again afterwards.
    this.casHolder = undefined;
    this.metaCas = 0;
    this.metaDirty = this.highestCas > 0;
    const superseded = this.current;
    this.current = new WriteBatch();
    if (this.clearJob !== undefined) {
      this.clearJob.superseded.push(superseded);
      return this.clearJob.done;
    }
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err?: unknown) => (err === undefined ? resolve() : reject(err));
    });
    this.clearJob = { superseded: [superseded], done, settle };
    if (!this.busy) this.pump();
    return done;
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    for (const [key, e] of this.index) if (!isExpired(e.exptime, now)) yield key;
  }

  stats(): StoreStats {
    return {
      items: this.index.size,
      bytes: this.bytes,
      limitBytes: this.options.maxDiskSize,
      evictions: this.evictions,
      expired: this.expired,
      totalItems: this.totalItems,
    };
  }

  /** Disk-tier counters: reads, hits, compression ratio... */
  l2Stats(): L2Stats {
    const c = this.counters;
    return {
      ...c,
      compressionRatio: c.compressedBytes > 0 ? c.rawBytes / c.compressedBytes : 1,
      pendingWrites: this.pending.size,
    };
  }

  /**
   * Highest cas of any record stored (seen by the open scan or written since),
   * so the cas counter can resume above it and cas stays unique across restarts.
   */
  maxCas(): number {
    return this.highestCas;
  }

  /**
   * Live items, most recently written first, while their key + value bytes
   * (+ `perItemOverhead` each) fit in `limitBytes`. Meant for warming L1 at
   * start; it walks the index, never the whole database.
   */
  async *warmEntries(limitBytes: number, perItemOverhead = 0): AsyncIterable<CacheItem> {
    if (!this.open || limitBytes <= 0) return;
    // The index iterates oldest first; find the newest suffix that fits.
    const now = this.clock.now();
    let total = 0;
    for (const [key, e] of this.index) {
      if (!isExpired(e.exptime, now)) total += key.length + e.valueLength + perItemOverhead;
    }
    const newest: string[] = [];
    let skip = total;
    for (const [key, e] of this.index) {
      if (isExpired(e.exptime, now)) continue;
      if (skip <= limitBytes) newest.push(key);
      else skip -= key.length + e.valueLength + perItemOverhead;
    }
    let used = 0;
    for (let i = newest.length - 1; i >= 0; i--) {
      if (!this.open) return;
      const got = this.get(newest[i]!);
      const item = isPromise(got) ? await got : got;
      if (item === undefined) continue;
      used += item.key.length + item.value.length + perItemOverhead;
      if (used > limitBytes) return;
      yield item;
    }
  }

  /**
   * Deletes expired records, examining at most `budget` index entries and
   * resuming where the previous slice stopped. Returns how many were removed.
   */
  sweep(budget: number): number {
    if (!this.open) return 0;
    const now = this.clock.now();
    let removed = 0;
    if (this.sweepIterator === undefined) this.sweepIterator = this.index.entries();
    for (let i = 0; i < budget; i++) {
      const r = this.sweepIterator.next();
      if (r.done) {
        this.sweepIterator = undefined;
        break;
      }
      const [key, e] = r.value;
      if (isExpired(e.exptime, now)) {
        this.expireKey(key, e);
        removed++;
      }
    }
    return removed;
  }

  // --- reads ---------------------------------------------------------------

  private miss(): undefined {
    this.counters.misses++;
    return undefined;
  }

  private fromPending(key: string, p: PendingWrite): CacheItem | undefined {
    const item = p.item;
    if (item === undefined) return this.miss();
    if (isExpired(item.exptime, this.clock.now())) {
      const e = this.index.get(key);
      if (e !== undefined) this.expireKey(key, e);
      return this.miss();
    }
    this.counters.hits++;
    return item;
  }

  private finishGet(key: string, record: Buffer | undefined): CacheItem | undefined {
    if (record === undefined) {
      // Indexed but gone from disk: the index is wrong, not the caller.
      const e = this.index.get(key);
      if (e !== undefined) this.forget(key, e);
      return this.miss();
    }
    let item: CacheItem;
    try {
      item = decodeRecord(key, record, this.compressor);
    } catch (err) {
      this.counters.corrupt++;
      this.logger.warn({ key: printable(key), reason: (err as Error).message }, 'L2 corrupt record skipped');
      const e = this.index.get(key);
      if (e !== undefined) this.removeKey(key, e);
      return this.miss();
    }
    if (isExpired(item.exptime, this.clock.now())) {
      const e = this.index.get(key);
      if (e !== undefined) this.expireKey(key, e);
      return this.miss();
    }
    this.counters.hits++;
    return item;
  }

  // --- writes --------------------------------------------------------------

  private rewrite(item: CacheItem, exptime: number, record: Buffer | undefined): Promise<CacheItem> {
    const updated = makeItem(item.key, item.value, item.flags, exptime, item.cas);
    let next: Buffer | undefined;
    if (record !== undefined) {
      try {
        decodeHeader(record);
        next = withExptime(record, exptime, ++this.seq);
      } catch {
        next = undefined;
      }
    }
    if (next === undefined) next = encodeRecord(updated, 0, updated.value, ++this.seq);
    return this.putRecord(updated, next)
      .done()
      .then(() => updated);
  }

  /** Indexes `record` as the newest write of its key and queues it. */
  private putRecord(item: CacheItem, record: Buffer): WriteBatch {
    const key = item.key;
    const old = this.index.get(key);
    if (old !== undefined) {
      this.bytes -= old.size;
      this.index.delete(key); // re-inserted below so the Map order stays write order
    }
    const size = key.length + record.length + L2_ENTRY_OVERHEAD;
    this.index.set(key, new IndexEntry(size, item.exptime, item.value.length));
    this.bytes += size;
    this.counters.writes++;
    if (item.cas > this.highestCas) {
      this.highestCas = item.cas;
      this.casHolder = key;
    } else if (key === this.casHolder && item.cas < this.highestCas) {
      this.casHolderGone();
    }
    return this.enqueue({ type: 'put', key: Buffer.from(key, 'latin1'), value: record }, key, new PendingWrite(item, record));
  }

  private removeKey(key: string, e: IndexEntry): WriteBatch {
    this.forget(key, e);
    if (key === this.casHolder) this.casHolderGone();
    return this.enqueue({ type: 'del', key: Buffer.from(key, 'latin1') }, key, new PendingWrite(undefined, undefined));
  }

  private expireKey(key: string, e: IndexEntry): void {
    this.removeKey(key, e);
    this.expired++;
  }

  /**
   * The record carrying the highest cas is leaving the disk: unless the
   * bookkeeping record already covers it, queue it with the same batch.
   */
  private casHolderGone(): void {
    this.casHolder = undefined;
    if (this.metaCas < this.highestCas) this.metaDirty = true;
  }

  private forget(key: string, e: IndexEntry): void {
    this.index.delete(key);
    this.bytes -= e.size;
  }

  /** Drops the oldest-written keys until the estimate fits the budget. */
  private makeRoom(): void {
    const limit = this.options.maxDiskSize;
    if (limit <= 0 || this.bytes <= limit) return;
    const now = this.clock.now();
    for (const [key, e] of this.index) {
      if (this.bytes <= limit) break;
      this.removeKey(key, e);
      if (isExpired(e.exptime, now)) this.expired++;
      else this.evictions++;
    }
  }

  private enqueue(op: LevelOp, key: string, mark: PendingWrite): WriteBatch {
    const batch = this.current;
    batch.push(op, key, mark);
    this.pending.set(key, mark);
    if (!this.busy && !this.scheduled) {
      // Everything that arrives before the I/O phase ends goes into one batch.
      this.scheduled = true;
      setImmediate(this.pumpCb);
    }
    return batch;
  }

  /** Starts the next unit of disk work unless one is in flight: a clear first, else the collected batch. */
  private pump(): void {
    this.scheduled = false;
    if (this.busy) return;
    const db = this.db;
    const job = this.clearJob;
    if (job !== undefined && db !== undefined) {
      this.clearJob = undefined;
      this.busy = true;
      db.clear().then(
        () => this.afterClear(job, undefined),
        (err: unknown) => this.afterClear(job, err),
      );
      return;
    }
    const batch = this.current;
    if ((batch.size === 0 && !this.metaDirty) || db === undefined) {
      this.notifyIdle();
      return;
    }
    if (this.metaDirty) {
      // Same batch as the removal that made it necessary: both land or neither.
      batch.ops.push({ type: 'put', key: META_KEY, value: encodeMeta(this.highestCas) });
      this.metaCas = this.highestCas;
      this.metaDirty = false;
    }
    this.current = new WriteBatch();
    this.busy = true;
    this.counters.batches++;
    this.writeBatch!(batch.ops, { sync: this.options.syncWrites }).then(
      () => this.afterBatch(batch, undefined),
      (err: unknown) => this.afterBatch(batch, err),
    );
  }

  private afterBatch(batch: WriteBatch, err: unknown): void {
    const { keys, marks } = batch;
    for (let i = 0; i < keys.length; i++) {
      if (this.pending.get(keys[i]!) === marks[i]) this.pending.delete(keys[i]!);
    }
    if (err !== undefined) {
      this.counters.writeErrors++;
      this.logger.error({ err, ops: batch.size }, 'L2 batch write failed');
    }
    batch.settle(err);
    this.busy = false;
    // Writes that queued up meanwhile go out now as one group commit.
    this.pump();
  }

  private afterClear(job: ClearJob, err: unknown): void {
    if (err !== undefined) this.logger.error({ err }, 'L2 clear failed');
    for (const b of job.superseded) b.settle(err);
    job.settle(err);
    this.busy = false;
    this.pump();
  }

  private isIdle(): boolean {
    return !this.busy && this.current.size === 0 && this.clearJob === undefined && !this.metaDirty;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // --- open ----------------------------------------------------------------

  /**
   * Rebuilds the index with one pass over the database: headers are checked,
   * expired and corrupt records deleted, and keys put in write order.
   */
  private async scan(db: Level<Buffer, Buffer>): Promise<void> {
    const found: ScanEntry[] = [];
    let doomed: Buffer[] = [];
    let corrupt = 0;
    let expired = 0;
    let metaCas = 0;
    let liveCas = 0;
    let holder: string | undefined;
    const now = this.clock.now();
    const it = db.iterator();
    try {
      for (;;) {
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0) break;
        for (const [keyBytes, record] of chunk) {
          if (keyBytes.length === 0) {
            try {
              metaCas = decodeMeta(record);
            } catch (err) {
              corrupt++;
              this.logger.warn({ reason: (err as Error).message }, 'L2 bookkeeping record skipped');
            }
            continue;
          }
          let h: RecordHeader;
          try {
            h = decodeHeader(record);
          } catch (err) {
            corrupt++;
            if (corrupt <= 10) {
              this.logger.warn(
                { key: printable(keyBytes.toString('latin1')), reason: (err as Error).message },
                'L2 corrupt record skipped',
              );
            }
            doomed.push(keyBytes);
            continue;
          }
          // Expired records are dropped, but their cas was issued: it still counts.
          if (h.cas > this.highestCas) this.highestCas = h.cas;
          if (h.seq > this.seq) this.seq = h.seq;
          if (isExpired(h.exptime, now)) {
            expired++;
            doomed.push(keyBytes);
            continue;
          }
          const key = keyBytes.toString('latin1');
          const size = key.length + record.length + L2_ENTRY_OVERHEAD;
          found.push({ key, entry: new IndexEntry(size, h.exptime, h.originalLength), seq: h.seq });
          if (h.cas > liveCas) {
            liveCas = h.cas;
            holder = key;
          }
        }
        if (doomed.length >= SCAN_CHUNK) {
          await db.batch(this.scanDeletes(doomed, Math.max(metaCas, liveCas)));
          doomed = [];
        }
      }
    } finally {
      await it.close();
    }
    if (metaCas > this.highestCas) this.highestCas = metaCas;
    if (this.metaCas < metaCas) this.metaCas = metaCas;
    this.casHolder = liveCas === this.highestCas ? holder : undefined;
    if (doomed.length > 0 || this.highestCas > Math.max(this.metaCas, liveCas)) {
      await db.batch(this.scanDeletes(doomed, Math.max(metaCas, liveCas)), { sync: this.options.syncWrites });
    }
    found.sort((a, b) => a.seq - b.seq);
    for (const f of found) {
      this.index.set(f.key, f.entry);
      this.bytes += f.entry.size;
    }
    this.expired += expired;
    this.counters.corrupt += corrupt;
    if (corrupt > 0) this.logger.warn({ corrupt }, 'L2 corrupt records removed at open');
  }

  /**
   * Deletes for records the open scan dropped. When a dropped (expired) record
   * held a cas above every one still `kept`, the bookkeeping record goes in
   * the same batch, so the cas is never issued again.
   */
  private scanDeletes(doomed: Buffer[], kept: number): LevelOp[] {
    const ops: LevelOp[] = doomed.map((key) => ({ type: 'del' as const, key }));
    if (this.highestCas > Math.max(kept, this.metaCas)) {
      ops.push({ type: 'put', key: META_KEY, value: encodeMeta(this.highestCas) });
      this.metaCas = this.highestCas;
    }
    return ops;
  }

  private assertOpen(): void {
    if (!this.open) throw new Error('L2 store is not open');
  }
}

/** `CODE: message` of an error (or of its cause, which level wraps), on one line. */
function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const inner = e.cause !== undefined && e.cause !== null ? (e.cause as typeof e) : e;
  const message = typeof inner.message === 'string' ? inner.message : String(err);
  // Node's fs errors already start with their code.
  const code = typeof inner.code === 'string' && !message.startsWith(inner.code) ? `${inner.code}: ` : '';
  return `${code}${message}`.replace(/\s*\n\s*/g, ' ');
}

/** Keys can hold any byte; log them escaped. */
function printable(key: string): string {
  return JSON.stringify(key);
}
