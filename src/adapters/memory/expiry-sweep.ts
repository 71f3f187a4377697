import { isExpired } from '../../domain/item.js';
import { EXPTIME, type EntryTable } from './entry-table.js';

/**
 * Expiry of the memory tier beyond the lazy check on access: a lower bound
 * on the next expiry, so sets and sweeps skip the search while nothing can
 * have expired, and a sweep over the entry table in slices that resumes
 * where the previous slice stopped.
 */
export class ExpirySweep {
  /** No entry expires before this (a lower bound). */
  private nextExpiry = Infinity;
  /** The bound gathered for the next full pass over the table. */
  private cycleMin = Infinity;
  private cursor = 0;

  constructor(
    private readonly table: EntryTable,
    private readonly expire: (id: number) => void,
  ) {}

  /** Records an entry's new expiry (epoch ms, 0 = never). */
  note(exptime: number): void {
    if (exptime === 0) return;
    if (exptime < this.nextExpiry) this.nextExpiry = exptime;
    if (exptime < this.cycleMin) this.cycleMin = exptime;
  }

  /** Whether anything may have expired at `now`. */
  due(now: number): boolean {
    return now >= this.nextExpiry;
  }

  /** Expires entries, examining at most `budget` ids; returns how many were removed. */
  run(now: number, budget: number): number {
    if (now < this.nextExpiry) return 0;
    const t = this.table;
    let removed = 0;
    let id = this.cursor;
    for (let n = 0; n < budget; n++, id++) {
      if (id >= t.highWater) {
        // A full pass saw every entry that had an exptime (or note() did): the bound is exact again.
        id = 0;
        this.nextExpiry = this.cycleMin;
        this.cycleMin = Infinity;
        break;
      }
      const exptime = t.f64At(id, EXPTIME);
      if (exptime === 0 || !t.isLive(id)) continue;
      if (isExpired(exptime, now)) {
        this.expire(id);
        removed++;
      } else if (exptime < this.cycleMin) {
        this.cycleMin = exptime;
      }
    }
    this.cursor = id;
    return removed;
  }

  /** Forgets everything (the table was cleared). */
  reset(): void {
    this.cursor = 0;
    this.nextExpiry = this.cycleMin = Infinity;
  }
}
