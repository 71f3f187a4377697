/**
 * Source of cas unique values. One per server so every protocol shares it;
 * seeded above the highest persisted cas so values stay unique across restarts.
 * A JS number is exact up to 2^53, which a counter never reaches in practice.
 */
export class CasSequence {
  private last = 0;

  next(): number {
    return ++this.last;
  }

  /** Ensures future values are greater than `seen`. */
  advancePast(seen: number): void {
    if (seen > this.last) this.last = seen;
  }

  get current(): number {
    return this.last;
  }
}
