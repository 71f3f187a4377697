import type { EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { capacityFor, IdLinks, IdList } from './id-list.js';

/**
 * Least recently used: every access moves the entry to the head; the tail
 * leaves first. Per entry: the two links (8 bytes).
 */
export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  /** Links (8 B) with their growth slack. */
  readonly entryOverhead = 10;
  private readonly links = new IdLinks();
  private readonly list = new IdList(this.links);

  insert(id: number): void {
    if (id >= this.links.capacity) this.links.grow(capacityFor(id, this.links.capacity));
    this.list.pushHead(id);
  }

  access(id: number): void {
    this.list.moveToHead(id);
  }

  update(id: number): void {
    this.list.moveToHead(id);
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
