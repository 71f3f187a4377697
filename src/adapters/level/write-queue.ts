import type { Logger } from '../../domain/ports/logger.js';
import type { WriteBackpressure } from '../../domain/ports/write-backpressure.js';
import type { BatchWriter } from './batch-writer.js';
import type { LevelOp } from './write-batch.js';
import { monotonicMs } from './monotonic-ms.js';
import { ChunkPool } from './record-arena.js';
import { PendingWrite, WriteBatch } from './write-batch.js';

/** The one extra record a batch may have to carry (the cas watermark, see cas-watermark.ts). */
export interface BatchRider {
  /** True when the next batch must carry `take()`'s op. */
  readonly dirty: boolean;
  take(): LevelOp;
}

/** The database side of the queue, attached once the database is open. */
export interface QueueTarget {
  write: BatchWriter;
  clear: () => Promise<void>;
}

export interface WriteQueueOptions {
  /** fsync each batch before it counts as applied. */
  sync: boolean;
  /** Bytes of accepted, unapplied writes above which writers are held back; 0 = unbounded. */
  limitBytes: number;
  /** A batch stops taking ops at this many bytes; later ops go to the next batch. */
  maxBatchBytes: number;
  /** ... or at this many ops: handing a batch to LevelDB costs ~1 µs per op on the event loop. */
  maxBatchOps?: number;
}

/**
 * Bytes charged per op beyond its key and record: the op, the pending-write
 * mark and the key Buffer objects, so a flood of tiny writes is bounded too.
 */
export const QUEUED_OP_OVERHEAD = 96;

/** Default op cap of a batch: a few ms of event-loop time at most. */
export const MAX_BATCH_OPS = 2048;

/**
 * Without sync writes, a batch smaller than this waits until GATHER_MS after
 * the previous batch was sent, so that a sparse write stream (1 set in 11
 * requests) does not pay a thread-pool hand-off, a thread wake-up and a
 * promise for every write or two. Acks do not wait for batches then, so only
 * the crash window grows, by at most GATHER_MS (docs/durability.md).
 */
export const MIN_GROUP_OPS = 64;
export const GATHER_MS = 1;

/** Work done after the batch in flight: a clear, then the batches it superseded settle. */
interface ClearJob {
  superseded: WriteBatch[];
  done: Promise<void>;
  settle: (err?: unknown) => void;
}

/** What `stats` shows of the queue. */
export interface WriteQueueStats {
  /** Bytes of writes accepted but not yet applied (queued + in flight). */
  bytes: number;
  /** Operations accepted but not yet applied. */
  items: number;
  /** The byte budget (0 = unbounded). */
  limit: number;
  /** Highest `bytes` seen since start. */
  peakBytes: number;
  /** Longest time a write waited between being accepted and being applied, in ms. */
  maxLagMs: number;
  /** Times a writing connection was held back because the queue was full. */
  pauses: number;
  /** Writes that replaced a queued write of the same key before it reached the disk. */
  coalesced: number;
  /** db.batch() calls issued. */
  batches: number;
  /** Failed db.batch() calls. */
  writeErrors: number;
}

/**
 * The writes accepted by the disk tier and not yet applied to LevelDB, in
 * call order. Batches go out one at a time (no later write can overtake an
 * earlier one); everything arriving while one is in flight is collected for
 * the next (group commit). A second write of a key to the same unsent batch
 * replaces the first. The bytes queued have a budget: past it the queue says
 * `full` (the WriteBackpressure port) and the protocol sessions stop reading
 * from connections that write until it drains; nothing accepted is dropped.
 */
export class WriteQueue implements WriteBackpressure {
  /** The newest unapplied write of each key: reads are answered from it. */
  readonly pending = new Map<string, PendingWrite>();
  writesAccepted = 0;
  private target: QueueTarget | undefined;
  /** Unsent batches, oldest first; the last one takes new ops. */
  private waiting: WriteBatch[] = [];
  private inFlight = false;
  private scheduled = false;
  /** monotonicMs() when the last batch went to LevelDB. */
  private lastSentMs = 0;
  private clearJob: ClearJob | undefined;
  private idleWaiters: Array<() => void> = [];
  private drainWaiters: Array<() => void> = [];
  private bytes = 0;
  private peakBytes = 0;
  private maxLagMs = 0;
  private items = 0;
  private pauses = 0;
  private coalesced = 0;
  private batches = 0;
  private writeErrors = 0;
  private readonly pumpCb = (): void => this.pump();
  /** Record memory of applied batches, reused by the next ones. */
  private readonly chunks = new ChunkPool();

  constructor(
    private readonly options: WriteQueueOptions,
    private readonly rider: BatchRider,
    private readonly logger: Logger,
  ) {}

  /** Connects the queue to the open database. */
  attach(target: QueueTarget | undefined): void {
    this.target = target;
  }

  get full(): boolean {
    return this.options.limitBytes > 0 && this.bytes > this.options.limitBytes;
  }

  drained(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  notePause(): void {
    this.pauses++;
  }

  /** The newest unapplied write of `key`, if any. */
  lookup(key: string): PendingWrite | undefined {
    return this.pending.get(key);
  }

  /**
   * Queues a put of `record` (the queue takes it over) or, when it is undefined, a delete. `keyBytes`
   * is the LevelDB key when it is not `diskKey(key)` (a record found on disk
   * under a key written before keys were escaped).
   */
  enqueue(key: string, record: Buffer | undefined, keyBytes?: Buffer): WriteBatch {
    this.writesAccepted++;
    const bytes = key.length + (record === undefined ? 0 : record.length) + QUEUED_OP_OVERHEAD;
    const prev = this.pending.get(key);
    let batch = this.waiting[this.waiting.length - 1];
    if (prev !== undefined && prev.batch === batch) {
      // Same key, same unsent batch: the older write never needs to reach the disk.
      const slot = prev.slot;
      const oldBytes = key.length + batch.recordLength(slot) + QUEUED_OP_OVERHEAD;
      batch.replace(slot, record);
      batch.setDiskKey(slot, keyBytes);
      batch.bytes += bytes - oldBytes;
      this.bytes += bytes - oldBytes;
      this.coalesced++;
    } else {
      if (batch === undefined || batch.bytes >= this.options.maxBatchBytes || batch.size >= (this.options.maxBatchOps ?? MAX_BATCH_OPS)) {
        batch = new WriteBatch(this.chunks);
        this.waiting.push(batch);
      }
      const slot = batch.add(key, record);
      if (keyBytes !== undefined) batch.setDiskKey(slot, keyBytes);
      const mark = new PendingWrite(batch, slot);
      batch.marks.push(mark);
      batch.bytes += bytes;
      this.bytes += bytes;
      this.items++;
      this.pending.set(key, mark);
    }
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    this.schedule();
    return batch;
  }

  /** Makes sure a batch goes out soon even when nothing else is queued (for the rider). */
  schedule(): void {
    if (!this.inFlight && !this.scheduled) {
      // Everything that arrives before the I/O phase ends goes into one batch.
      this.scheduled = true;
      setImmediate(this.pumpCb);
    }
  }

  /** Resolves once every write accepted so far has been applied. */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (!this.inFlight) this.pump();
    return p;
  }

  /** Wipes the database after the batch in flight; unsent writes are dropped, later ones kept. */
  clear(): Promise<void> {
    this.pending.clear();
    const superseded = this.waiting;
    this.waiting = [];
    for (const b of superseded) {
      this.bytes -= b.bytes;
      this.items -= b.size;
    }
    if (this.clearJob !== undefined) {
      this.clearJob.superseded.push(...superseded);
      return this.clearJob.done;
    }
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err?: unknown) => (err === undefined ? resolve() : reject(err));
    });
    this.clearJob = { superseded, done, settle };
    if (!this.inFlight) this.pump();
    this.releaseDrainWaiters();
    return done;
  }

  stats(): WriteQueueStats {
    return {
      bytes: this.bytes,
      items: this.items,
      limit: this.options.limitBytes,
      peakBytes: this.peakBytes,
      maxLagMs: this.maxLagMs,
      pauses: this.pauses,
      coalesced: this.coalesced,
      batches: this.batches,
      writeErrors: this.writeErrors,
    };
  }

  /** Starts the next unit of disk work unless one is in flight: a clear first, else the oldest batch. */
  private pump(): void {
    this.scheduled = false;
    if (this.inFlight) return;
    const target = this.target;
    const job = this.clearJob;
    if (job !== undefined && target !== undefined) {
      this.clearJob = undefined;
      this.inFlight = true;
      target.clear().then(
        () => this.afterClear(job, undefined),
        (err: unknown) => this.afterClear(job, err),
      );
      return;
    }
    if (target === undefined || (this.waiting.length === 0 && !this.rider.dirty)) {
      this.notifyIdle();
      return;
    }
    const next = this.waiting[0];
    // With sync writes every ack waits for its batch: no gathering delay there.
    if (!this.options.sync && next !== undefined && next.size < MIN_GROUP_OPS && this.idleWaiters.length === 0 && !this.full) {
      const wait = this.lastSentMs + GATHER_MS - monotonicMs();
      if (wait > 0) {
        this.scheduled = true;
        setTimeout(this.pumpCb, wait);
        return;
      }
    }
    const batch = this.waiting.shift() ?? new WriteBatch(this.chunks);
    // Same batch as the write that made it necessary: both land or neither.
    if (this.rider.dirty) batch.rider = this.rider.take();
    batch.sent = true;
    this.inFlight = true;
    this.lastSentMs = monotonicMs();
    this.batches++;
    target.write(batch, { sync: this.options.sync }).then(
      () => this.afterBatch(batch, undefined),
      (err: unknown) => this.afterBatch(batch, err),
    );
  }

  private afterBatch(batch: WriteBatch, err: unknown): void {
    const { keys, marks } = batch;
    for (let i = 0; i < keys.length; i++) {
      if (this.pending.get(keys[i]!) === marks[i]) this.pending.delete(keys[i]!);
    }
    this.bytes -= batch.bytes;
    this.items -= keys.length;
    const lag = monotonicMs() - batch.openedAt;
    if (lag > this.maxLagMs) this.maxLagMs = lag;
    if (err !== undefined) {
      this.writeErrors++;
      this.logger.error({ err, ops: batch.size }, 'L2 batch write failed');
    }
    batch.settle(err);
    // Nothing can read its records now: the pending marks are gone and reads copied what they kept.
    batch.release();
    this.inFlight = false;
    this.releaseDrainWaiters();
    // Writes that queued up meanwhile go out now as one group commit.
    this.pump();
  }

  private afterClear(job: ClearJob, err: unknown): void {
    if (err !== undefined) this.logger.error({ err }, 'L2 clear failed');
    for (const b of job.superseded) b.settle(err);
    job.settle(err);
    this.inFlight = false;
    this.pump();
  }

  private releaseDrainWaiters(): void {
    if (this.drainWaiters.length === 0 || this.full) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private isIdle(): boolean {
    return !this.inFlight && this.waiting.length === 0 && this.clearJob === undefined && !this.rider.dirty;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
