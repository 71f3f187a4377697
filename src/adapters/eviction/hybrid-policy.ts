import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { NodeList } from './node-list.js';

/** How many of the least recently used entries compete at each eviction. */
export const HYBRID_SAMPLE = 8;
const MAX_COUNT = 255;
/** `meta` = epoch * META_EPOCH + count at the time it was written. */
const META_EPOCH = 256;
const MIN_EPOCH_OPS = 1024;
const EPOCH_OPS_PER_ENTRY = 8;

/**
 * The original project's LRU/LFU mix, defined here as: entries are kept in
 * LRU order and carry an access count (1 on insert, +1 per hit, saturating
 * at 255). Eviction looks at the HYBRID_SAMPLE (8) least recently used
 * entries and evicts the one with the lowest count, ties going to the least
 * recent: recency decides who is at risk, frequency decides who leaves.
 *
 * Counts age like LfuPolicy's: every epoch of max(1024, 8 x entries)
 * inserts and hits halves all counts, lazily (`meta` holds the count and the
 * epoch it was written in). Without aging, formerly hot entries would
 * collect at the LRU tail and shrink the sample for good.
 * O(HYBRID_SAMPLE) = O(1) per eviction, O(1) per hit.
 */
export class HybridPolicy implements EvictionPolicy {
  readonly name = 'hybrid';
  private readonly list = new NodeList();
  private epoch = 0;
  private opsInEpoch = 0;

  constructor(private readonly sample = HYBRID_SAMPLE) {}

  insert(node: EvictionNode): void {
    this.tick();
    node.meta = this.epoch * META_EPOCH + 1;
    this.list.pushHead(node);
  }

  access(node: EvictionNode): void {
    this.tick();
    const count = this.countOf(node);
    node.meta = this.epoch * META_EPOCH + (count < MAX_COUNT ? count + 1 : count);
    this.list.moveToHead(node);
  }

  remove(node: EvictionNode): void {
    this.list.unlink(node);
  }

  evict(): EvictionNode | undefined {
    let victim = this.list.tail;
    if (victim === null) return undefined;
    let lowest = this.countOf(victim);
    let o = victim.prev;
    for (let i = 1; i < this.sample && o !== null && lowest > 0; i++, o = o.prev) {
      const c = this.countOf(o);
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
    this.opsInEpoch = 0;
  }

  /** Current (aged) count. */
  private countOf(node: EvictionNode): number {
    const written = Math.floor(node.meta / META_EPOCH);
    const age = this.epoch - written;
    return age >= 8 ? 0 : (node.meta - written * META_EPOCH) >> age;
  }

  private tick(): void {
    if (++this.opsInEpoch < Math.max(MIN_EPOCH_OPS, EPOCH_OPS_PER_ENTRY * this.list.length)) return;
    this.opsInEpoch = 0;
    this.epoch++;
  }
}
