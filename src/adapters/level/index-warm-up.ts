import type { Level } from 'level';
import type { CacheItem } from '../../domain/item.js';
import { isExpired } from '../../domain/item.js';
import type { MaybePromise } from '../../domain/maybe-promise.js';
import { isPromise } from '../../domain/maybe-promise.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import { itemKey } from './disk-key.js';
import type { IndexedRecords } from './indexed-records.js';
import { L2_ENTRY_OVERHEAD } from './indexed-records.js';
import { OpenScan, type ScanProgress, type ScanSink } from './open-scan.js';
import type { RecordHeader } from './record-codec.js';
import { HEADER_SIZE } from './record-codec.js';
import { NONE } from './write-order-index.js';

/**
 * Entries of the end step's work per turn of the event loop (ADR 0017):
 * a few ms, so clients wait at most that long between slices.
 */
export const END_STEP_SLICE = 32_768;

const IDLE: ScanProgress = { running: false, items: 0, bytes: 0, itemsPerSecond: 0, etaSeconds: 0 };

/**
 * Rebuilds the disk tier's index from one scan of the database (ADR 0017).
 * With ceilings in the bookkeeping record the scan runs in the background
 * while clients are served: a key a client writes or deletes meanwhile is
 * in the index (live or as a tombstone) before the scan reaches it, and the
 * scan, reading an older snapshot, leaves such keys alone. Expired and
 * corrupt records it finds are deleted through the write queue, so they are
 * ordered with the clients' writes.
 */
export class IndexWarmUp implements ScanSink {
  private scan: OpenScan | undefined;
  private done: Promise<void> = Promise.resolve();
  /** Whether a cas above the ceiling found at open would be a broken invariant (not so without ceilings). */
  private checkCas = false;

  constructor(
    private readonly records: IndexedRecords,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Applies the disk budget once write order is known. */
    private readonly afterScan: () => void,
  ) {}

  /** Scans the whole database before returning: for a data dir without ceilings. */
  async full(db: Level<Buffer, Buffer>): Promise<void> {
    const scan = this.begin(db, 0);
    await scan.run();
    this.records.ceiling.restore(Math.max(scan.maxCas, scan.legacyCas), scan.maxSeq);
    await this.finish(scan);
  }

  /** Starts the scan and returns at once; `whenDone` resolves when the index is complete. */
  background(db: Level<Buffer, Buffer>, seqCeiling: number): void {
    const scan = this.begin(db, seqCeiling);
    this.checkCas = true;
    this.done = scan.run().then(
      () => this.finish(scan),
      (err: unknown) => {
        // The index stays incomplete: unknown keys keep being read from LevelDB.
        if (this.scan === scan) this.logger.error({ err: (err as Error).message }, 'L2 index warm-up failed; reads of unindexed keys go to LevelDB');
      },
    );
  }

  /** Resolves once the index knows every key (at once when no scan runs). */
  whenDone(): Promise<void> {
    return this.done;
  }

  /** The database was cleared (or is closing): what the scan still finds is gone. */
  abort(): void {
    const scan = this.scan;
    if (scan === undefined) return;
    scan.abort();
    this.scan = undefined;
    if (this.records.scanning || this.records.index.ordering) this.records.endScan();
  }

  progress(): ScanProgress {
    return this.scan?.progress() ?? IDLE;
  }

  onRecord(key: string, keyBytes: Buffer, recordLength: number, h: RecordHeader): void {
    const records = this.records;
    // Written or deleted by a client since the scan began: that is newer than the snapshot.
    if (records.index.known(key)) return;
    if (this.checkCas && h.cas > records.ceiling.highest) {
      this.checkCas = false;
      this.logger.warn({ cas: h.cas, ceiling: records.ceiling.highest }, 'L2 record above the cas ceiling found at open');
    }
    records.ceiling.noteCas(h.cas);
    if (isExpired(h.exptime, this.clock.now())) {
      records.expired++;
      records.queue.enqueue(key, undefined, keyBytes);
      return;
    }
    const size = key.length + recordLength + L2_ENTRY_OVERHEAD;
    records.index.put(key, size, h.exptime, records.rankOf(h.seq));
    records.bytes += size;
  }

  onCorrupt(keyBytes: Buffer): void {
    const key = itemKey(keyBytes);
    if (this.records.index.known(key)) return;
    this.records.counters.corrupt++;
    this.records.queue.enqueue(key, undefined, keyBytes);
  }

  ready(): Promise<void> | undefined {
    const queue = this.records.queue;
    return queue.full ? queue.drained() : undefined;
  }

  private begin(db: Level<Buffer, Buffer>, seqCeiling: number): OpenScan {
    this.records.beginScan(seqCeiling);
    this.scan = new OpenScan(db, this.clock, this.logger, this);
    return this.scan;
  }

  /** Rebuilds write order in slices (clients are served between them), then applies the disk budget. */
  private async finish(scan: OpenScan): Promise<void> {
    if (this.scan !== scan) return;
    const p = scan.progress();
    const index = this.records.index;
    this.records.scanRead();
    while (!index.sortStep(END_STEP_SLICE)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Aborted (flush_all, stop): abort() has ended the step.
      if (this.scan !== scan) return;
    }
    this.afterScan();
    const seconds = p.itemsPerSecond > 0 ? Math.round((p.items / p.itemsPerSecond) * 10) / 10 : 0;
    this.logger.info({ items: this.records.index.count, bytes: this.records.bytes, read: p.items, seconds }, 'L2 index warm-up done');
  }
}

/**
 * Live items, most recently written first, while their key + record bytes
 * (+ `perItemOverhead` each) fit in `limitBytes`: for warming the memory
 * tier. Walks the index (after the scan), never the whole database.
 */
export async function* newestItems(
  records: IndexedRecords,
  get: (key: string) => MaybePromise<CacheItem | undefined>,
  isOpen: () => boolean,
  limitBytes: number,
  perItemOverhead: number,
  now: number,
): AsyncIterable<CacheItem> {
  const index = records.index;
  const newest: string[] = [];
  let planned = 0;
  for (let id = index.tail; id !== NONE; id = index.older(id)) {
    const key = index.keyOf(id);
    if (records.hasExpired(id, key, now)) continue;
    planned += index.sizeOf(id) - HEADER_SIZE - L2_ENTRY_OVERHEAD + perItemOverhead;
    if (planned > limitBytes) break;
    newest.push(key);
  }
  let used = 0;
  for (const key of newest) {
    if (!isOpen()) return;
    const got = get(key);
    const item = isPromise(got) ? await got : got;
    if (item === undefined) continue;
    used += item.key.length + item.value.length + perItemOverhead;
    if (used > limitBytes) return;
    yield item;
  }
}
