/** Smallest and largest number of counters per row. */
const MIN_WIDTH = 64;
const MAX_WIDTH = 1 << 24;
/** Counters are halved after this many increments per counter of a row. */
const SAMPLE_FACTOR = 10;
const ROW_SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];

/**
 * Count-min sketch with 4 rows of 4-bit saturating counters (two per byte),
 * the popularity estimate behind TinyLFU. After SAMPLE_FACTOR x width
 * increments every counter is halved ("reset"), so the estimate follows
 * recent popularity. The width grows (and the counts restart) when the
 * number of tracked entries outgrows it; growth doubles, so it is O(1)
 * amortised.
 */
export class FrequencySketch {
  private width = 0;
  private mask = 0;
  private table = new Uint8Array(0);
  private additions = 0;
  private sampleSize = 0;

  constructor(expectedEntries = MIN_WIDTH) {
    this.resize(expectedEntries);
  }

  /** Makes the sketch wide enough for `entries` distinct hot keys. */
  ensureCapacity(entries: number): void {
    if (entries > this.width && this.width < MAX_WIDTH) this.resize(entries);
  }

  /** Estimated recent count of `hash`, 0..15. */
  frequency(hash: number): number {
    let min = 15;
    for (let row = 0; row < 4; row++) {
      const v = this.counter(this.index(hash, row), row);
      if (v < min) min = v;
    }
    return min;
  }

  increment(hash: number): void {
    let added = false;
    for (let row = 0; row < 4; row++) {
      const i = this.index(hash, row) + row * this.width;
      const byte = i >>> 1;
      const shift = (i & 1) << 2;
      if (((this.table[byte]! >>> shift) & 15) < 15) {
        this.table[byte]! += 1 << shift;
        added = true;
      }
    }
    if (added && ++this.additions >= this.sampleSize) this.halve();
  }

  clear(): void {
    this.table.fill(0);
    this.additions = 0;
  }

  private counter(column: number, row: number): number {
    const i = column + row * this.width;
    return (this.table[i >>> 1]! >>> ((i & 1) << 2)) & 15;
  }

  private index(hash: number, row: number): number {
    // Full avalanche per row, so rows collide independently.
    let h = Math.imul(hash ^ ROW_SEEDS[row]!, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private halve(): void {
    const t = this.table;
    // Shift both nibbles right at once; 0x77 drops the bit that crossed over.
    for (let i = 0; i < t.length; i++) t[i] = (t[i]! >>> 1) & 0x77;
    this.additions >>>= 1;
  }

  private resize(entries: number): void {
    let w = MIN_WIDTH;
    while (w < entries && w < MAX_WIDTH) w <<= 1;
    this.width = w;
    this.mask = w - 1;
    this.table = new Uint8Array((w * 4) >>> 1);
    this.additions = 0;
    this.sampleSize = SAMPLE_FACTOR * w;
  }
}
