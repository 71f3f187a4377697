import type { EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { capacityFor, grown, IdLinks, IdList, NONE } from './id-list.js';

/**
 * SIEVE (Zhang et al., NSDI'24): one FIFO queue, a visited bit per entry
 * and a hand. A hit only sets the bit. Eviction moves the hand from the
 * oldest entry towards the newest, clearing bits, and evicts the first
 * unvisited entry; the hand stays where it stopped, so survivors keep their
 * position instead of being reinserted (unlike CLOCK) and new entries, which
 * sit at the head, are examined last. Each bit cleared was paid for by a hit,
 * so eviction is O(1) amortised. Per entry: two links + the bit (9 bytes).
 */
export class SievePolicy implements EvictionPolicy {
  readonly name = 'sieve';
  /** Links (8 B) + visited bit (1 B) with their growth slack. */
  readonly entryOverhead = 12;
  private readonly links = new IdLinks();
  private readonly list = new IdList(this.links);
  private visited = new Uint8Array(this.links.capacity);
  /** Next entry to examine; NONE = start again from the tail (oldest). */
  private hand = NONE;

  insert(id: number): void {
    if (id >= this.links.capacity) this.grow(id);
    this.visited[id] = 0;
    this.list.pushHead(id);
  }

  access(id: number): void {
    this.visited[id] = 1;
  }

  update(id: number): void {
    this.visited[id] = 1;
  }

  remove(id: number): void {
    if (this.hand === id) this.hand = this.list.newerThan(id);
    this.list.unlink(id);
  }

  evict(): number {
    let o = this.hand !== NONE ? this.hand : this.list.tail;
    if (o === NONE) return NONE;
    const visited = this.visited;
    while (visited[o] !== 0) {
      visited[o] = 0;
      const newer = this.list.newerThan(o);
      o = newer !== NONE ? newer : this.list.tail;
    }
    this.hand = this.list.newerThan(o);
    this.list.unlink(o);
    return o;
  }

  clear(): void {
    this.list.clear();
    this.links.reset();
    this.hand = NONE;
  }

  private grow(id: number): void {
    const capacity = capacityFor(id, this.links.capacity);
    this.links.grow(capacity);
    this.visited = grown(this.visited, capacity);
  }
}
