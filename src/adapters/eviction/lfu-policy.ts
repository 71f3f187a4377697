import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { NodeList } from './node-list.js';

/** Counts saturate here; one bucket per count 0..MAX_COUNT. */
const MAX_COUNT = 255;
const BUCKETS = MAX_COUNT + 1;
/** `meta` = epoch * META_EPOCH + count at the time it was written. */
const META_EPOCH = 256;
/** Shortest epoch, so that halving costs O(BUCKETS / MIN_EPOCH_OPS) per operation. */
const MIN_EPOCH_OPS = 1024;
/** An epoch lasts this many operations per resident entry. */
const EPOCH_OPS_PER_ENTRY = 8;

/**
 * Least frequently used with aging, in O(1).
 *
 * Each entry has an access count (1 on insert, +1 per hit, saturating at
 * 255) and sits in the bucket for that count; a bucket is an intrusive list
 * in recency order, so ties go to the least recently used. Eviction takes the
 * tail of the lowest non-empty bucket.
 *
 * Aging: after every epoch of max(1024, 8 x entries) inserts and hits, every
 * count is halved, so popularity that is not renewed decays geometrically and
 * a formerly hot key can leave once it stops being used. Halving is lazy: the
 * buckets 2k and 2k+1 are spliced into bucket k (256 O(1) splices per epoch),
 * and a node's `meta` keeps the count and the epoch it was written in, so its
 * current count is `count >> (epoch - writtenEpoch)` without touching it.
 */
export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu';
  private buckets: NodeList[] = Array.from({ length: BUCKETS }, () => new NodeList());
  /** Lower bound of the lowest non-empty bucket. */
  private minBucket = 0;
  private epoch = 0;
  private opsInEpoch = 0;
  private size = 0;

  insert(node: EvictionNode): void {
    this.tick();
    node.meta = this.epoch * META_EPOCH + 1;
    this.buckets[1]!.pushHead(node);
    if (this.minBucket > 1) this.minBucket = 1;
    this.size++;
  }

  access(node: EvictionNode): void {
    this.tick();
    const count = this.countOf(node);
    this.buckets[count]!.unlink(node);
    const next = count < MAX_COUNT ? count + 1 : count;
    node.meta = this.epoch * META_EPOCH + next;
    this.buckets[next]!.pushHead(node);
  }

  remove(node: EvictionNode): void {
    this.buckets[this.countOf(node)]!.unlink(node);
    this.size--;
  }

  evict(): EvictionNode | undefined {
    if (this.size === 0) return undefined;
    while (this.buckets[this.minBucket]!.length === 0) this.minBucket++;
    this.size--;
    return this.buckets[this.minBucket]!.popTail();
  }

  clear(): void {
    for (const b of this.buckets) b.clear();
    this.minBucket = 0;
    this.size = 0;
    this.opsInEpoch = 0;
  }

  /** Current (aged) count of a resident node = index of its bucket. */
  private countOf(node: EvictionNode): number {
    const written = Math.floor(node.meta / META_EPOCH);
    const age = this.epoch - written;
    return age >= 8 ? 0 : (node.meta - written * META_EPOCH) >> age;
  }

  private tick(): void {
    if (++this.opsInEpoch < Math.max(MIN_EPOCH_OPS, EPOCH_OPS_PER_ENTRY * this.size)) return;
    this.opsInEpoch = 0;
    this.epoch++;
    // Halve every count: bucket k <- bucket 2k+1 (more recent side) + bucket 2k.
    const old = this.buckets;
    const halved: NodeList[] = new Array<NodeList>(BUCKETS);
    const emptied: NodeList[] = [];
    for (let k = 0; k < BUCKETS / 2; k++) {
      const hi = old[2 * k + 1]!;
      const lo = old[2 * k]!;
      hi.appendOlder(lo);
      halved[k] = hi;
      emptied.push(lo);
    }
    for (let k = BUCKETS / 2; k < BUCKETS; k++) halved[k] = emptied.pop()!;
    this.buckets = halved;
    this.minBucket >>= 1;
  }
}
