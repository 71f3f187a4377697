import type { BatchRider } from './write-queue.js';
import type { LevelOp } from './write-batch.js';
import { META_KEY, encodeMeta } from './record-codec.js';

/**
 * Keeps cas values unique across restarts. The highest cas ever issued is
 * either carried by a record on disk (its "holder") or by the bookkeeping
 * record; when the holder leaves the disk (delete, overwrite with a lower
 * cas, expiry, eviction, clear) the bookkeeping record rides along in the
 * same batch, so both land or neither.
 */
export class CasWatermark implements BatchRider {
  /** Highest cas seen (on disk at open, or written since). */
  highest = 0;
  /** The key whose record carries `highest`; undefined once that record is gone. */
  private holder: string | undefined;
  /** The highest cas written (or queued) as the bookkeeping record. */
  private metaCas = 0;
  dirty = false;

  /** A record of `key` with `cas` is being written. */
  noteWrite(key: string, cas: number): void {
    if (cas > this.highest) {
      this.highest = cas;
      this.holder = key;
    } else if (key === this.holder && cas < this.highest) {
      this.holderGone();
    }
  }

  /** A cas was issued but no record will carry it (the item was refused). */
  noteIssued(cas: number): void {
    if (cas > this.highest) {
      this.highest = cas;
      this.holderGone();
    }
  }

  /** `key`'s record is leaving the disk. */
  noteRemoved(key: string): void {
    if (key === this.holder) this.holderGone();
  }

  /** Every record is being removed (the bookkeeping record too). */
  noteCleared(): void {
    this.holder = undefined;
    this.metaCas = 0;
    this.dirty = this.highest > 0;
  }

  /** What the open scan found: the bookkeeping record's cas and the live record with the highest cas. */
  restore(highestSeen: number, metaCas: number, liveCas: number, liveHolder: string | undefined): void {
    this.highest = Math.max(this.highest, highestSeen, metaCas);
    this.metaCas = Math.max(this.metaCas, metaCas);
    this.holder = liveCas === this.highest ? liveHolder : undefined;
  }

  /** True when the bookkeeping record must be written so no cas above `kept` is forgotten. */
  needsMeta(kept: number): boolean {
    return this.highest > Math.max(kept, this.metaCas);
  }

  take(): LevelOp {
    this.metaCas = this.highest;
    this.dirty = false;
    return { type: 'put', key: META_KEY, value: encodeMeta(this.highest) };
  }

  private holderGone(): void {
    this.holder = undefined;
    if (this.metaCas < this.highest) this.dirty = true;
  }
}
