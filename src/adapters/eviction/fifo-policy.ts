import type { EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { capacityFor, IdLinks, IdList } from './id-list.js';

/**
 * First in, first out: entries leave in insertion order; hits and in-place
 * overwrites change nothing. Per entry: the two links (8 bytes).
 */
export class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo';
  /** Links (8 B) with their growth slack. */
  readonly entryOverhead = 10;
  private readonly links = new IdLinks();
  private readonly list = new IdList(this.links);

  insert(id: number): void {
    if (id >= this.links.capacity) this.links.grow(capacityFor(id, this.links.capacity));
    this.list.pushHead(id);
  }

  access(_id: number): void {
    // Deliberately nothing: a hit costs no write, which is FIFO's whole point.
  }

  update(_id: number): void {
    // An overwrite keeps the entry's place, as a hit does.
  }

  remove(id: number): void {
    this.list.unlink(id);
  }

  evict(): number {
    return this.list.popTail();
  }

  clear(): void {
    this.list.clear();
    this.links.reset();
  }
}
