import type { Level } from 'level';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import { Progress } from '../../domain/progress.js';
import type { RecordHeader } from './record-codec.js';
import { decodeHeader, decodeMeta } from './record-codec.js';
import { itemKey } from './disk-key.js';

/** What the scan hands over, record by record. */
export interface ScanSink {
  /** A record with a valid header; `key` is the item key. */
  onRecord(key: string, keyBytes: Buffer, recordLength: number, header: RecordHeader): void;
  /** A record whose header cannot be trusted. */
  onCorrupt(keyBytes: Buffer): void;
  /** Resolves when the scan may go on (the write queue has room for the deletes it issues). */
  ready(): Promise<void> | undefined;
}

/** Where the scan stands, for `stats` and the log. */
export interface ScanProgress {
  running: boolean;
  /** Records read so far (live, expired and corrupt). */
  items: number;
  /** Key + record bytes read so far. */
  bytes: number;
  /** Records read per second so far. */
  itemsPerSecond: number;
  /** Seconds left at the rate so far (0 when done or not yet known). */
  etaSeconds: number;
}

const SCAN_CHUNK = 1000;
const LOG_EVERY_MS = 2000;

/**
 * One pass over the database in key order, in chunks read by LevelDB's own
 * thread, so the event loop serves clients between chunks. It reads from
 * the iterator's snapshot: what a client writes meanwhile is for the sink to
 * keep (see index-warm-up.ts).
 */
export class OpenScan {
  corrupt = 0;
  /** Highest cas and write sequence in any record read (for a data dir without ceilings). */
  maxCas = 0;
  maxSeq = 0;
  /** The cas of a version-1 bookkeeping record. */
  legacyCas = 0;
  running = false;
  private aborted = false;
  /** LevelDB's estimate of the bytes to read, for the ETA. */
  private estimate = 0;

  constructor(
    private readonly db: Level<Buffer, Buffer>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sink: ScanSink,
  ) {}

  /** Records read (live, expired and corrupt) and their key + record bytes. */
  private readonly done = new Progress(this.clock, LOG_EVERY_MS);

  /** Reads every record; resolves when done or aborted. */
  async run(): Promise<void> {
    this.running = true;
    this.done.start();
    try {
      // classic-level has it; the Level typings do not.
      const sized = this.db as unknown as { approximateSize(start: Buffer, end: Buffer): Promise<number> };
      this.estimate = await sized.approximateSize(Buffer.alloc(0), Buffer.alloc(256, 0xff));
    } catch {
      this.estimate = 0;
    }
    const it = this.db.iterator();
    try {
      while (!this.aborted) {
        const wait = this.sink.ready();
        if (wait !== undefined) await wait;
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0 || this.aborted) break;
        for (const [keyBytes, record] of chunk) this.take(keyBytes, record);
        this.logProgress();
      }
    } finally {
      this.running = false;
      await it.close();
    }
    if (this.corrupt > 0) this.logger.warn({ corrupt: this.corrupt }, 'L2 corrupt records removed at open');
  }

  /** Stops after the chunk in hand (the database was cleared, or is closing). */
  abort(): void {
    this.aborted = true;
  }

  progress(): ScanProgress {
    const { items, bytes } = this.done;
    const eta = this.running ? this.done.etaSeconds(this.estimate) : 0;
    return { running: this.running, items, bytes, itemsPerSecond: Math.round(this.done.itemsPerSecond()), etaSeconds: Math.round(eta) };
  }

  private take(keyBytes: Buffer, record: Buffer): void {
    if (keyBytes.length === 0) {
      try {
        const meta = decodeMeta(record);
        if (meta.legacy) this.legacyCas = meta.casCeiling;
      } catch (err) {
        this.corrupt++;
        this.logger.warn({ reason: (err as Error).message }, 'L2 bookkeeping record skipped');
      }
      return;
    }
    this.done.add(keyBytes.length + record.length);
    let h: RecordHeader;
    try {
      h = decodeHeader(record);
    } catch (err) {
      this.corrupt++;
      if (this.corrupt <= 10) {
        this.logger.warn({ key: JSON.stringify(keyBytes.toString('latin1')), reason: (err as Error).message }, 'L2 corrupt record skipped');
      }
      this.sink.onCorrupt(keyBytes);
      return;
    }
    if (h.cas > this.maxCas) this.maxCas = h.cas;
    if (h.seq > this.maxSeq) this.maxSeq = h.seq;
    this.sink.onRecord(itemKey(keyBytes), keyBytes, record.length, h);
  }

  private logProgress(): void {
    if (!this.done.logDue()) return;
    this.logger.info({ ...this.progress(), running: undefined }, 'L2 index warm-up progress');
  }
}
