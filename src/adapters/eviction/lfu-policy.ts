import type { EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { AgedCounts, MAX_COUNT } from './aged-counts.js';
import { capacityFor, IdLinks, IdList, NONE } from './id-list.js';

/** One bucket per count 0..MAX_COUNT. */
const BUCKETS = MAX_COUNT + 1;

/**
 * Least frequently used with aging, in O(1).
 *
 * Each entry has an access count (1 on insert, +1 per hit, saturating at
 * 255) and sits in the bucket for that count; a bucket is an intrusive list
 * in recency order, so ties go to the least recently used. Eviction takes the
 * tail of the lowest non-empty bucket.
 *
 * Aging (AgedCounts): after every epoch of max(1024, 8 x entries) inserts and
 * hits, every count is halved, so popularity that is not renewed decays
 * geometrically and a formerly hot key can leave once it stops being used.
 * Halving is lazy: the buckets 2k and 2k+1 are spliced into bucket k (256
 * O(1) splices per epoch), and each entry's stamp keeps the count and the
 * epoch it was written in, so its current count is derived without touching
 * it. Per entry: two links + a 16-bit stamp (10 bytes).
 */
export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu';
  /** Links (8 B) + count and epoch stamp (2 B) with their growth slack. */
  readonly entryOverhead = 13;
  private readonly links = new IdLinks();
  private readonly counts = new AgedCounts();
  private buckets: IdList[] = Array.from({ length: BUCKETS }, () => new IdList(this.links));
  /** Where tick() builds the halved bucket order; swapped with `buckets`. */
  private spare: IdList[] = new Array<IdList>(BUCKETS);
  /** Lower bound of the lowest non-empty bucket. */
  private minBucket = 0;
  private size = 0;

  insert(id: number): void {
    if (id >= this.links.capacity) this.grow(id);
    this.tick();
    this.counts.set(id, 1);
    this.buckets[1]!.pushHead(id);
    if (this.minBucket > 1) this.minBucket = 1;
    this.size++;
  }

  access(id: number): void {
    this.tick();
    this.buckets[this.counts.countOf(id)]!.unlink(id);
    this.buckets[this.counts.bump(id)]!.pushHead(id);
  }

  update(id: number): void {
    this.access(id);
  }

  remove(id: number): void {
    this.buckets[this.counts.countOf(id)]!.unlink(id);
    this.size--;
  }

  evict(): number {
    if (this.size === 0) return NONE;
    while (this.buckets[this.minBucket]!.length === 0) this.minBucket++;
    this.size--;
    return this.buckets[this.minBucket]!.popTail();
  }

  clear(): void {
    for (const b of this.buckets) b.clear();
    this.links.reset();
    this.minBucket = 0;
    this.size = 0;
    this.counts.restartEpoch();
  }

  private grow(id: number): void {
    const capacity = capacityFor(id, this.links.capacity);
    this.links.grow(capacity);
    this.counts.grow(capacity);
  }

  private tick(): void {
    const epoch = this.counts.tick(this.size);
    if (epoch === 0) return;
    // Halve every count: bucket k <- bucket 2k+1 (more recent side) + bucket 2k.
    const old = this.buckets;
    const halved = this.spare;
    for (let k = 0; k < BUCKETS / 2; k++) {
      const hi = old[2 * k + 1]!;
      const lo = old[2 * k]!;
      hi.appendOlder(lo);
      halved[k] = hi;
      halved[BUCKETS / 2 + k] = lo; // now empty
    }
    this.spare = old;
    this.buckets = halved;
    this.minBucket >>= 1;
    if (epoch === 2) this.restamp();
  }

  /** Rewrites every stamp to the current epoch (see AgedCounts): an entry's count is its bucket. */
  private restamp(): void {
    for (let k = 0; k < BUCKETS; k++) {
      const bucket = this.buckets[k]!;
      for (let id = bucket.head; id !== NONE; id = bucket.olderThan(id)) this.counts.set(id, k);
    }
  }
}
