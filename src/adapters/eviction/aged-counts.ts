import { grown } from './id-list.js';

/** Counts saturate here (8 bits). */
export const MAX_COUNT = 255;
/** Shortest epoch, so that per-epoch work is O(1) amortised over its operations. */
const MIN_EPOCH_OPS = 1024;
/** An epoch lasts this many operations per resident entry. */
const EPOCH_OPS_PER_ENTRY = 8;
/** After this many epochs a count has been halved to 0 whatever it was. */
const FORGET_AGE = 8;
/**
 * Only the low 8 bits of the epoch are stored, so an age is exact while it is
 * under 256 epochs. Every RESTAMP_EPOCHS the owner rewrites every stamp to the
 * current epoch (O(entries) once per >= 128 x 8 x entries operations), which
 * keeps every stored age under 128.
 */
const RESTAMP_EPOCHS = 128;

/**
 * Per-id access counts (1..255) that halve every epoch, lazily: each id
 * keeps `epoch << 8 | count` as of its last write, in 16 bits, and its
 * current count is `count >> (epoch - written)`. An epoch lasts
 * max(1024, 8 x resident entries) inserts + hits, so popularity that is not
 * renewed decays geometrically. Shared by LfuPolicy and HybridPolicy.
 */
export class AgedCounts {
  private stamps = new Uint16Array(16);
  private epoch = 0;
  private opsInEpoch = 0;

  /** Makes room for ids up to `capacity - 1`. */
  grow(capacity: number): void {
    this.stamps = grown(this.stamps, capacity);
  }

  /** Current (aged) count of `id`. */
  countOf(id: number): number {
    const stamp = this.stamps[id]!;
    const age = ((this.epoch & 0xff) - (stamp >>> 8)) & 0xff;
    return age >= FORGET_AGE ? 0 : (stamp & 0xff) >> age;
  }

  /** Records `count` (0..MAX_COUNT) as `id`'s count now. */
  set(id: number, count: number): void {
    this.stamps[id] = ((this.epoch & 0xff) << 8) | count;
  }

  /** `id`'s count after one more use, saturating; recorded and returned. */
  bump(id: number): number {
    const count = this.countOf(id);
    const next = count < MAX_COUNT ? count + 1 : count;
    this.set(id, next);
    return next;
  }

  /**
   * Counts one insert or hit. Returns 0 while the epoch goes on, 1 when a
   * new epoch began (every count just halved), 2 when the new epoch also
   * requires the owner to `set` every resident id to its current count.
   */
  tick(resident: number): 0 | 1 | 2 {
    if (++this.opsInEpoch < Math.max(MIN_EPOCH_OPS, EPOCH_OPS_PER_ENTRY * resident)) return 0;
    this.opsInEpoch = 0;
    this.epoch++;
    return this.epoch % RESTAMP_EPOCHS === 0 ? 2 : 1;
  }

  /** Restarts the current epoch's operation count (the entries are gone). */
  restartEpoch(): void {
    this.opsInEpoch = 0;
  }
}
