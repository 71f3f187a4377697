import type { EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { AgedCounts } from './aged-counts.js';
import { capacityFor, IdLinks, IdList, NONE } from './id-list.js';

/** How many of the least recently used entries compete at each eviction. */
export const HYBRID_SAMPLE = 8;

/**
 * The original project's LRU/LFU mix, defined here as: entries are kept in
 * LRU order and carry an access count (1 on insert, +1 per hit, saturating
 * at 255). Eviction looks at the HYBRID_SAMPLE (8) least recently used
 * entries and evicts the one with the lowest count, ties going to the least
 * recent: recency decides who is at risk, frequency decides who leaves.
 *
 * Counts age like LfuPolicy's (AgedCounts): every epoch of max(1024, 8 x
 * entries) inserts and hits halves all counts, lazily. Without aging,
 * formerly hot entries would collect at the LRU tail and shrink the sample
 * for good. O(HYBRID_SAMPLE) = O(1) per eviction, O(1) per hit.
 * Per entry: two links + a 16-bit stamp (10 bytes).
 */
export class HybridPolicy implements EvictionPolicy {
  readonly name = 'hybrid';
  /** Links (8 B) + count and epoch stamp (2 B) with their growth slack. */
  readonly entryOverhead = 13;
  private readonly links = new IdLinks();
  private readonly list = new IdList(this.links);
  private readonly counts = new AgedCounts();

  constructor(private readonly sample = HYBRID_SAMPLE) {}

  insert(id: number): void {
    if (id >= this.links.capacity) this.grow(id);
    this.tick();
    this.counts.set(id, 1);
    this.list.pushHead(id);
  }

  access(id: number): void {
    this.tick();
    this.counts.bump(id);
    this.list.moveToHead(id);
  }

  update(id: number): void {
    this.access(id);
  }

  remove(id: number): void {
    this.list.unlink(id);
  }

  evict(): number {
    let victim = this.list.tail;
    if (victim === NONE) return NONE;
    let lowest = this.counts.countOf(victim);
    let o = this.list.newerThan(victim);
    for (let i = 1; i < this.sample && o !== NONE && lowest > 0; i++, o = this.list.newerThan(o)) {
      const c = this.counts.countOf(o);
      if (c < lowest) {
        lowest = c;
        victim = o;
      }
    }
    this.list.unlink(victim);
    return victim;
  }

  clear(): void {
    this.list.clear();
    this.links.reset();
    this.counts.restartEpoch();
  }

  private grow(id: number): void {
    const capacity = capacityFor(id, this.links.capacity);
    this.links.grow(capacity);
    this.counts.grow(capacity);
  }

  private tick(): void {
    if (this.counts.tick(this.list.length) !== 2) return;
    // Rewrite every stamp to the current epoch, keeping each (aged) count.
    for (let id = this.list.head; id !== NONE; id = this.list.olderThan(id)) this.counts.set(id, this.counts.countOf(id));
  }
}
