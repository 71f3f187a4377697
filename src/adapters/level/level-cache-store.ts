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
import { CasWatermark } from './cas-watermark.js';
import { scanDatabase } from './open-scan.js';
import { HEADER_SIZE, decodeHeader, decodeRecord, encodeRecord, withExptime } from './record-codec.js';
import type { PendingWrite, WriteBatch } from './write-batch.js';
import type { WriteQueueStats } from './write-queue.js';
import type { BatchPath, BatchableDb } from './batch-writer.js';
import { batchPath } from './batch-writer.js';
import { WriteQueue } from './write-queue.js';

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
  /** Bytes of accepted, unapplied writes above which writers are held back; 0 = unbounded. */
  writeQueueBytes?: number;
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
  writeQueueBytes: 32 * 1024 * 1024,
};

/** A batch stops taking writes at this size (or a quarter of the queue budget, when smaller). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

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
  /** Keys with a write accepted but not yet applied. */
  pendingWrites: number;
  /** The write queue (bytes, items, budget, pauses, batches...). */
  queue: WriteQueueStats;
  /** Batches that went through db.batch() because db._batch is missing (see batch-writer.ts). */
  batchFallbacks: number;
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


/**
 * The L2 tier: a LevelDB database of binary records (see record-codec.ts),
 * with an in-memory index of every stored key in write order.
 *
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
  private db: Level<Buffer, Buffer> | undefined;
  private batches: BatchPath | undefined;
  private open = false;
  private canGetSync = false;
  private readonly index = new Map<string, IndexEntry>();
  private readonly cas = new CasWatermark();
  private bytes = 0;
  private evictions = 0;
  private expired = 0;
  private totalItems = 0;
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
  };

  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepIterator: IterableIterator<[string, IndexEntry]> | undefined;

  constructor(
    private readonly options: LevelStoreOptions,
    private readonly clock: Clock,
    private readonly compressor: Compressor,
    private readonly logger: Logger,
  ) {
    const limitBytes = options.writeQueueBytes ?? LEVEL_STORE_DEFAULTS.writeQueueBytes!;
    this.queue = new WriteQueue(
      {
        sync: options.syncWrites,
        limitBytes,
        maxBatchBytes: limitBytes > 0 ? Math.max(64 * 1024, Math.min(MAX_BATCH_BYTES, limitBytes / 4)) : MAX_BATCH_BYTES,
      },
      this.cas,
      logger,
    );
  }

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
    this.batches = batchPath(db as unknown as BatchableDb, this.logger);
    this.queue.attach({ write: this.batches.write, clear: () => db.clear() });
    // level-supports' typings predate the getSync flag.
    this.canGetSync = (db.supports as { getSync?: boolean }).getSync === true;
    if (this.options.clearOnStartup) await db.clear();
    await this.load(db);
    this.open = true;
    this.makeRoom();
    if (this.options.sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => this.sweep(this.options.sweepSlice ?? 10_000), this.options.sweepIntervalMs);
      this.sweepTimer.unref();
    }
    this.logger.info(
      { dataDir: dir, items: this.index.size, bytes: this.bytes, maxCas: this.cas.highest, getSync: this.canGetSync },
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
    this.queue.attach(undefined);
    await this.db!.close();
    this.db = undefined;
    this.index.clear();
    this.sweepIterator = undefined;
  }

  /** Resolves once every write accepted so far has been applied. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  get(key: string): MaybePromise<CacheItem | undefined> {
    this.assertOpen();
    this.counters.reads++;
    const p = this.queue.lookup(key);
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
        const later = this.queue.lookup(key);
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
      this.cas.noteIssued(item.cas);
      this.queue.schedule();
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
    let record = this.queue.lookup(key)?.record;
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
    this.bytes = 0;
    this.sweepIterator = undefined;
    // The clear removes the bookkeeping record too: write it again afterwards.
    this.cas.noteCleared();
    return this.queue.clear();
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

  /** Disk-tier counters: reads, hits, compression ratio, the write queue... */
  l2Stats(): L2Stats {
    const c = this.counters;
    return {
      ...c,
      compressionRatio: c.compressedBytes > 0 ? c.rawBytes / c.compressedBytes : 1,
      pendingWrites: this.queue.pending.size,
      queue: this.queue.stats(),
      batchFallbacks: this.batches?.fallbacks ?? 0,
    };
  }

  /**
   * Highest cas of any record stored (seen by the open scan or written since),
   * so the cas counter can resume above it and cas stays unique across restarts.
   */
  maxCas(): number {
    return this.cas.highest;
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
    this.cas.noteWrite(key, item.cas);
    return this.queue.enqueue(key, Buffer.from(key, 'latin1'), item, record);
  }

  private removeKey(key: string, e: IndexEntry): WriteBatch {
    this.forget(key, e);
    this.cas.noteRemoved(key);
    return this.queue.enqueue(key, Buffer.from(key, 'latin1'), undefined, undefined);
  }

  private expireKey(key: string, e: IndexEntry): void {
    this.removeKey(key, e);
    this.expired++;
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

  // --- open ----------------------------------------------------------------

  /** Rebuilds the index from one scan of the database, in write order. */
  private async load(db: Level<Buffer, Buffer>): Promise<void> {
    const found: Array<{ key: string; entry: IndexEntry; seq: number }> = [];
    const summary = await scanDatabase(db, this.clock.now(), this.cas, this.options.syncWrites, this.logger, (r) => {
      const size = r.key.length + r.recordLength + L2_ENTRY_OVERHEAD;
      found.push({ key: r.key, entry: new IndexEntry(size, r.header.exptime, r.header.originalLength), seq: r.header.seq });
    });
    if (summary.seq > this.seq) this.seq = summary.seq;
    found.sort((a, b) => a.seq - b.seq);
    for (const f of found) {
      this.index.set(f.key, f.entry);
      this.bytes += f.entry.size;
    }
    this.expired += summary.expired;
    this.counters.corrupt += summary.corrupt;
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
