import type { BatchRider } from './write-queue.js';
import type { LevelOp } from './write-batch.js';
import { META_KEY, encodeMeta } from './record-codec.js';

/**
 * Values reserved ahead of use: a crash skips at most this many cas values
 * and write sequences (out of 2^53), and a busy server rewrites the
 * bookkeeping record once per half of it.
 */
export const RESERVE = 1 << 20;

/**
 * Keeps cas values unique, and write sequences increasing, across restarts
 * without reading every record at open. The bookkeeping record holds a
 * ceiling of each counter that no record on disk exceeds; counters run up to
 * it and, once they pass its lower half, the next batch carries a ceiling
 * reserved `RESERVE` further (the same batch as the records that made it
 * necessary, so both land or neither), like a sequence allocator.
 */
export class CounterCeiling implements BatchRider {
  /** Highest cas seen (the ceiling found at open, or a cas written since). */
  highest = 0;
  /** Last write sequence handed out. */
  seq = 0;
  /** The ceilings in the newest bookkeeping record written (or queued). */
  private casCeiling = 0;
  private seqCeiling = 0;
  /** Set by `restore`: a ceiling not yet tied to a database writes nothing. */
  private armed = false;

  /** The ceilings found at open (or the highest values a full scan found). */
  restore(cas: number, seq: number): void {
    this.armed = true;
    if (cas > this.highest) this.highest = cas;
    if (seq > this.seq) this.seq = seq;
    this.casCeiling = Math.max(this.casCeiling, cas);
    this.seqCeiling = Math.max(this.seqCeiling, seq);
  }

  /** A cas was issued (written in a record, or refused): none at or below it may be issued again. */
  noteCas(cas: number): void {
    if (cas > this.highest) this.highest = cas;
  }

  /** The write sequence of the next record. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** True when the next batch must carry a new bookkeeping record. */
  get dirty(): boolean {
    return this.armed && (this.highest > this.casCeiling - RESERVE / 2 || this.seq > this.seqCeiling - RESERVE / 2);
  }

  /** The bookkeeping record reserving `RESERVE` values above what is used now. */
  take(): LevelOp {
    return this.record(RESERVE);
  }

  /** The bookkeeping record of the values used now, for a graceful stop (nothing reserved). */
  exact(): LevelOp {
    return this.record(0);
  }

  private record(reserve: number): LevelOp {
    this.casCeiling = this.highest + reserve;
    this.seqCeiling = this.seq + reserve;
    return { type: 'put', key: META_KEY, value: encodeMeta(this.casCeiling, this.seqCeiling) };
  }
}
