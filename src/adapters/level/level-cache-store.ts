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
import type { BatchPath, BatchableDb } from './batch-writer.js';
import { batchPath } from './batch-writer.js';
import { CasWatermark } from './cas-watermark.js';
import { CompressionGate } from './compression-gate.js';
import type { L2Stats, LevelStoreOptions } from './level-store-options.js';
import { LEVEL_STORE_DEFAULTS } from './level-store-options.js';
import { scanDatabase } from './open-scan.js';
import { diskKey } from './disk-key.js';
import { HEADER_SIZE, decodeHeader, decodeRecord, encodeRecord, withExptime } from './record-codec.js';
import type { WriteBatch } from './write-batch.js';
import { NONE, WriteOrderIndex } from './write-order-index.js';
import { WriteQueue } from './write-queue.js';

export { LEVEL_STORE_DEFAULTS, type L2Stats, type LevelStoreOptions } from './level-store-options.js';

/**
 * Bytes charged per record beyond key and record: LevelDB's sequence/type
 * tag (8) plus varint lengths and amortised block index.
 */
export const L2_ENTRY_OVERHEAD = 16;

/** A batch stops taking writes at this size (or a quarter of the queue budget, when smaller). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * The L2 tier: a LevelDB database of binary records (see record-codec.ts),
 * with a compact in-memory index of every stored key in write order
 * (write-order-index.ts).
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
  private readonly index = new WriteOrderIndex();
  private readonly cas = new CasWatermark();
  private readonly gate = new CompressionGate();
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
  /** Next entry id the sweep examines. */
  private sweepCursor = 0;

  constructor(
    private readonly options: LevelStoreOptions,
    private readonly clock: Clock,
    private readonly compressor: Compressor,
    private readonly logger: Logger,
  ) {
    const limitBytes = options.writeQueueBytes ?? LEVEL_STORE_DEFAULTS.writeQueueBytes!;
    const maxBatchBytes = limitBytes > 0 ? Math.max(64 * 1024, Math.min(MAX_BATCH_BYTES, limitBytes / 4)) : MAX_BATCH_BYTES;
    this.queue = new WriteQueue({ sync: options.syncWrites, limitBytes, maxBatchBytes }, this.cas, logger);
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
    this.logger.info({ dataDir: dir, items: this.index.count, bytes: this.bytes, maxCas: this.cas.highest, getSync: this.canGetSync }, 'L2 store opened');
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
    this.bytes = 0;
  }

  /** Resolves once every write accepted so far has been applied. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  get(key: string): MaybePromise<CacheItem | undefined> {
    this.assertOpen();
    this.counters.reads++;
    const p = this.queue.lookup(key);
    if (p !== undefined) return this.finishGet(key, p.record, true);
    const id = this.index.find(key);
    if (id === NONE) return this.miss();
    if (isExpired(this.index.exptimeOf(id), this.clock.now())) {
      this.expireKey(key, id);
      return this.miss();
    }
    const keyBytes = diskKey(key);
    if (this.canGetSync) {
      let record: Buffer | undefined;
      try {
        record = this.db!.getSync(keyBytes);
      } catch (err) {
        this.logger.warn({ err, key: printable(key) }, 'L2 read failed; treated as a miss');
        return this.miss();
      }
      return this.finishGet(key, record, false);
    }
    return this.db!.get(keyBytes).then(
      (record) => {
        // A write accepted while the read was in flight is newer than the disk.
        const later = this.queue.lookup(key);
        return later !== undefined ? this.finishGet(key, later.record, true) : this.finishGet(key, record, false);
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
      const old = this.index.find(key);
      if (old !== NONE) this.removeKey(key, old);
      // The cas was issued (the memory tier may still serve it): it must not be issued again after a restart.
      this.cas.noteIssued(item.cas);
      this.queue.schedule();
      return false;
    }
    // The record is a copy: the caller's value may be a view of L1's slab memory.
    const record = encodeRecord(item, compressorId, payload, ++this.seq);
    this.counters.rawBytes += value.length;
    this.counters.compressedBytes += payload.length;
    if (compressorId !== 0) this.counters.compressedWrites++;
    this.totalItems++;
    const batch = this.putRecord(key, item.exptime, item.cas, record);
    this.makeRoom();
    return batch.done();
  }

  delete(key: string): MaybePromise<boolean> {
    this.assertOpen();
    const id = this.index.find(key);
    if (id === NONE) return false;
    if (this.hasExpired(id, key, this.clock.now())) {
      this.expireKey(key, id);
      return false;
    }
    return this.removeKey(key, id).done();
  }

  touch(key: string, exptime: number): MaybePromise<CacheItem | undefined> {
    const got = this.get(key);
    if (isPromise(got)) {
      return got.then((item) => (item === undefined || this.index.find(key) === NONE ? undefined : this.rewrite(item, exptime, undefined)));
    }
    if (got === undefined) return undefined;
    let record = this.queue.lookup(key)?.record;
    if (record === undefined) {
      try {
        record = this.db!.getSync(diskKey(key));
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
    this.sweepCursor = 0;
    // The clear removes the bookkeeping record too: write it again afterwards.
    this.cas.noteCleared();
    return this.queue.clear();
  }

  async *keys(): AsyncIterable<string> {
    const now = this.clock.now();
    const index = this.index;
    for (let id = 0; id < index.idLimit; id++) {
      if (!index.isLive(id)) continue;
      const key = index.keyOf(id);
      if (!this.hasExpired(id, key, now)) yield key;
    }
  }

  stats(): StoreStats {
    return {
      items: this.index.count,
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
      compressionSkips: this.gate.skips,
      pendingWrites: this.queue.pending.size,
      queue: this.queue.stats(),
      batchFallbacks: this.batches?.fallbacks ?? 0,
      indexBytes: this.index.footprint(),
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
   * Live items, most recently written first, while their key + record bytes
   * (+ `perItemOverhead` each) fit in `limitBytes`. Meant for warming L1 at
   * start; it walks the index, never the whole database.
   */
  async *warmEntries(limitBytes: number, perItemOverhead = 0): AsyncIterable<CacheItem> {
    if (!this.open || limitBytes <= 0) return;
    const now = this.clock.now();
    const index = this.index;
    const newest: string[] = [];
    let planned = 0;
    for (let id = index.tail; id !== NONE; id = index.older(id)) {
      const key = index.keyOf(id);
      if (this.hasExpired(id, key, now)) continue;
      planned += index.sizeOf(id) - HEADER_SIZE - L2_ENTRY_OVERHEAD + perItemOverhead;
      if (planned > limitBytes) break;
      newest.push(key);
    }
    let used = 0;
    for (const key of newest) {
      if (!this.open) return;
      const got = this.get(key);
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
    const index = this.index;
    let removed = 0;
    for (let i = 0; i < budget; i++) {
      if (this.sweepCursor >= index.idLimit) {
        this.sweepCursor = 0;
        break;
      }
      const id = this.sweepCursor++;
      if (index.isLive(id) && isExpired(index.exptimeOf(id), now)) {
        this.expireKey(index.keyOf(id), id);
        removed++;
      }
    }
    return removed;
  }

  // --- reads ---------------------------------------------------------------

  /**
   * Whether entry `id` (of `key`) has expired. The index keeps whole seconds
   * rounded up; within the last second the record's exact exptime decides.
   */
  private hasExpired(id: number, key: string, now: number): boolean {
    const bound = this.index.exptimeOf(id);
    if (bound === 0 || bound - now > 1000) return false;
    if (isExpired(bound, now)) return true;
    let record = this.queue.lookup(key)?.record;
    try {
      if (record === undefined && this.canGetSync) record = this.db!.getSync(diskKey(key));
      return record !== undefined && isExpired(decodeHeader(record).exptime, now);
    } catch {
      return false;
    }
  }

  private miss(): undefined {
    this.counters.misses++;
    return undefined;
  }

  /** Decodes a record read from disk or from the write queue (`pending`); undefined = deleted or missing. */
  private finishGet(key: string, record: Buffer | undefined, pending: boolean): CacheItem | undefined {
    if (record === undefined) {
      // Not on disk though indexed: the index is wrong, not the caller.
      const id = pending ? NONE : this.index.find(key);
      if (id !== NONE) this.forget(id);
      return this.miss();
    }
    let item: CacheItem;
    try {
      item = decodeRecord(key, record, this.compressor);
    } catch (err) {
      this.counters.corrupt++;
      this.logger.warn({ key: printable(key), reason: (err as Error).message }, 'L2 corrupt record skipped');
      const id = this.index.find(key);
      if (id !== NONE) this.removeKey(key, id);
      return this.miss();
    }
    if (isExpired(item.exptime, this.clock.now())) {
      const id = this.index.find(key);
      if (id !== NONE) this.expireKey(key, id);
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
    return this.putRecord(item.key, exptime, item.cas, next)
      .done()
      .then(() => updated);
  }

  /** Indexes `record` as the newest write of its key and queues it. */
  private putRecord(key: string, exptime: number, cas: number, record: Buffer): WriteBatch {
    const size = key.length + record.length + L2_ENTRY_OVERHEAD;
    this.index.put(key, size, exptime);
    this.bytes += size - this.index.replacedSize;
    this.counters.writes++;
    this.cas.noteWrite(key, cas);
    return this.queue.enqueue(key, diskKey(key), record);
  }

  private removeKey(key: string, id: number): WriteBatch {
    this.forget(id);
    this.cas.noteRemoved(key);
    return this.queue.enqueue(key, diskKey(key), undefined);
  }

  private expireKey(key: string, id: number): void {
    this.removeKey(key, id);
    this.expired++;
  }

  private forget(id: number): void {
    this.bytes -= this.index.sizeOf(id);
    this.index.remove(id);
  }

  /** Drops the oldest-written keys until the estimate fits the budget. */
  private makeRoom(): void {
    const limit = this.options.maxDiskSize;
    if (limit <= 0 || this.bytes <= limit) return;
    const now = this.clock.now();
    while (this.bytes > limit && this.index.head !== NONE) {
      const id = this.index.head;
      const gone = isExpired(this.index.exptimeOf(id), now);
      this.removeKey(this.index.keyOf(id), id);
      if (gone) this.expired++;
      else this.evictions++;
    }
  }

  // --- open ----------------------------------------------------------------

  /** Rebuilds the index from one scan of the database, in write order. */
  private async load(db: Level<Buffer, Buffer>): Promise<void> {
    let seqs = new Float64Array(1024);
    const summary = await scanDatabase(db, this.clock.now(), this.cas, this.options.syncWrites, this.logger, (r) => {
      const size = r.key.length + r.recordLength + L2_ENTRY_OVERHEAD;
      const id = this.index.put(r.key, size, r.header.exptime);
      if (id >= seqs.length) {
        const more = new Float64Array(Math.ceil((id + 1) * 1.5));
        more.set(seqs);
        seqs = more;
      }
      seqs[id] = r.header.seq;
      this.bytes += size;
    });
    this.index.sortBy(seqs);
    if (summary.seq > this.seq) this.seq = summary.seq;
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
