import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { NodeList } from './node-list.js';

/**
 * SIEVE (Zhang et al., NSDI'24): one FIFO queue, a visited bit per entry
 * (`meta`) and a hand. A hit only sets the bit. Eviction moves the hand from
 * the oldest entry towards the newest, clearing bits, and evicts the first
 * unvisited entry; the hand stays where it stopped, so survivors keep their
 * position instead of being reinserted (unlike CLOCK) and new entries, which
 * sit at the head, are examined last. Each bit cleared was paid for by a hit,
 * so eviction is O(1) amortised.
 */
export class SievePolicy implements EvictionPolicy {
  readonly name = 'sieve';
  private readonly list = new NodeList();
  /** Next entry to examine; null = start again from the tail (oldest). */
  private hand: EvictionNode | null = null;

  insert(node: EvictionNode): void {
    node.meta = 0;
    this.list.pushHead(node);
  }

  access(node: EvictionNode): void {
    node.meta = 1;
  }

  remove(node: EvictionNode): void {
    if (this.hand === node) this.hand = node.prev;
    this.list.unlink(node);
  }

  evict(): EvictionNode | undefined {
    let o = this.hand ?? this.list.tail;
    if (o === null) return undefined;
    while (o.meta !== 0) {
      o.meta = 0;
      o = o.prev ?? (this.list.tail as EvictionNode);
    }
    this.hand = o.prev;
    this.list.unlink(o);
    return o;
  }

  clear(): void {
    this.list.clear();
    this.hand = null;
  }
}
