import type { Level } from 'level';
import type { CacheItem } from '../../domain/item.js';
import { isExpired } from '../../domain/item.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Compressor } from '../../domain/ports/compressor.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { CounterCeiling } from './counter-ceiling.js';
import { diskKey } from './disk-key.js';
import { decodeHeader, decodeRecord } from './record-codec.js';
import type { WriteBatch } from './write-batch.js';
import { NONE, WriteOrderIndex } from './write-order-index.js';
import type { WriteQueue } from './write-queue.js';

/**
 * Bytes charged per record beyond key and record: LevelDB's sequence/type
 * tag (8) plus varint lengths and amortised block index.
 */
export const L2_ENTRY_OVERHEAD = 16;

/** Write-order ranks are u32: sequences this far below the ceiling at open share the oldest rank. */
const RANK_SPAN = 2 ** 31;

/**
 * The disk tier's records as the index and the write queue see them: every
 * change of a record goes through here, so the index, the queue, the byte
 * count and the counter ceiling move together. The read and write paths of
 * LevelCacheStore and the open scan (index-warm-up.ts) share it.
 */
export class IndexedRecords {
  db: Level<Buffer, Buffer> | undefined;
  canGetSync = false;
  readonly index = new WriteOrderIndex();
  /** Charged bytes of indexed records. */
  bytes = 0;
  evictions = 0;
  expired = 0;
  readonly counters = {
    reads: 0,
    writes: 0,
    hits: 0,
    misses: 0,
    rawBytes: 0,
    compressedBytes: 0,
    compressedWrites: 0,
    corrupt: 0,
  };
  /**
   * True while the open scan runs: the index does not know every key yet, so
   * a key it does not know is read from LevelDB, and removals leave
   * tombstones the scan respects.
   */
  scanning = false;
  /** Sequences at or below this get write-order rank 0 (see `rankOf`). */
  private rankBase = 0;
  /** Next entry id the sweep examines. */
  private sweepCursor = 0;

  constructor(
    readonly queue: WriteQueue,
    /** Cas and write-sequence ceilings; the queue carries its bookkeeping record. */
    readonly ceiling: CounterCeiling,
    private readonly clock: Clock,
    private readonly compressor: Compressor,
    private readonly logger: Logger,
  ) {}

  /** Starts a scan phase: the index orders entries by rank from now on. */
  beginScan(seqCeiling: number): void {
    this.scanning = true;
    this.rankBase = Math.max(0, seqCeiling - RANK_SPAN);
    this.index.beginOrdering();
  }

  /**
   * The scan has read everything: the index knows every key, so read-through
   * and tombstones end; write order is rebuilt by `index.sortStep` slices
   * (eviction waits for them, puts keep their ranks meanwhile).
   */
  scanRead(): void {
    this.scanning = false;
    this.index.beginSort();
  }

  /** Ends the scan phase at once: tombstones go, write order is rebuilt. */
  endScan(): void {
    this.scanning = false;
    this.index.endOrdering();
  }

  /** The write-order rank of write sequence `seq` while the scan runs. */
  rankOf(seq: number): number {
    return Math.min(0xffff_ffff, Math.max(0, seq - this.rankBase));
  }

  /**
   * The newest record of `key`: its unapplied write if any (undefined for a
   * delete), else what LevelDB holds (undefined without getSync, which
   * classic-level has had since level 9). Throws when LevelDB cannot be read.
   */
  readRecord(key: string): Buffer | undefined {
    const p = this.queue.lookup(key);
    if (p !== undefined) return p.record;
    return this.canGetSync ? this.db!.getSync(diskKey(key)) : undefined;
  }

  /** Deletes expired records, examining at most `budget` index entries from where the last slice stopped. */
  sweep(budget: number): number {
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
        this.expire(index.keyOf(id), id);
        removed++;
      }
    }
    return removed;
  }

  /** Forgets every record (the database is being cleared). */
  clear(): void {
    this.index.clear();
    this.bytes = 0;
    this.sweepCursor = 0;
  }

  /**
   * Whether entry `id` (of `key`) has expired. The index keeps whole seconds
   * rounded up; within the last second the record's exact exptime decides.
   */
  hasExpired(id: number, key: string, now: number): boolean {
    const bound = this.index.exptimeOf(id);
    if (bound === 0 || bound - now > 1000) return false;
    if (isExpired(bound, now)) return true;
    try {
      const record = this.readRecord(key);
      return record !== undefined && isExpired(decodeHeader(record).exptime, now);
    } catch {
      return false;
    }
  }

  miss(): undefined {
    this.counters.misses++;
    return undefined;
  }

  /** Decodes a record read from disk or from the write queue (`pending`); undefined = deleted or missing. */
  decode(key: string, record: Buffer | undefined, pending: boolean): CacheItem | undefined {
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
      this.removeAny(key);
      return this.miss();
    }
    if (isExpired(item.exptime, this.clock.now())) {
      if (this.removeAny(key) !== undefined) this.expired++;
      return this.miss();
    }
    this.counters.hits++;
    return item;
  }

  /** Indexes `record` as the newest write of its key and queues it. */
  put(key: string, exptime: number, cas: number, seq: number, record: Buffer): WriteBatch {
    const size = key.length + record.length + L2_ENTRY_OVERHEAD;
    this.index.put(key, size, exptime, this.index.ordering ? this.rankOf(seq) : 0);
    this.bytes += size - this.index.replacedSize;
    this.counters.writes++;
    this.ceiling.noteCas(cas);
    return this.queue.enqueue(key, record);
  }

  /** Removes indexed entry `id` of `key` and queues the delete. */
  remove(key: string, id: number): WriteBatch {
    this.forget(id);
    return this.queue.enqueue(key, undefined);
  }

  /**
   * Removes `key` whether the index knows it or not (during the scan, LevelDB
   * may hold a record the index has not seen yet: the tombstone keeps the
   * scan from bringing it back).
   */
  removeAny(key: string): WriteBatch | undefined {
    const id = this.index.find(key);
    if (id !== NONE) return this.remove(key, id);
    if (!this.scanning) return undefined;
    this.index.bury(key);
    return this.queue.enqueue(key, undefined);
  }

  expire(key: string, id: number): void {
    this.remove(key, id);
    this.expired++;
  }

  forget(id: number): void {
    this.bytes -= this.index.sizeOf(id);
    this.index.remove(id);
  }

  /** Drops the oldest-written keys until the estimate fits `limit`; waits for the scan and its end step (write order is not known before). */
  makeRoom(limit: number): void {
    if (limit <= 0 || this.bytes <= limit || this.index.ordering) return;
    const now = this.clock.now();
    while (this.bytes > limit && this.index.head !== NONE) {
      const id = this.index.head;
      const gone = isExpired(this.index.exptimeOf(id), now);
      this.remove(this.index.keyOf(id), id);
      if (gone) this.expired++;
      else this.evictions++;
    }
  }
}

/** Keys can hold any byte; log them escaped. */
export function printable(key: string): string {
  return JSON.stringify(key);
}
