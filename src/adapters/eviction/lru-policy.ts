import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { NodeList } from './node-list.js';

/** Least recently used: every access moves the entry to the head; the tail leaves first. */
export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  private readonly list = new NodeList();

  insert(node: EvictionNode): void {
    this.list.pushHead(node);
  }

  access(node: EvictionNode): void {
    this.list.moveToHead(node);
  }

  remove(node: EvictionNode): void {
    this.list.unlink(node);
  }

  evict(): EvictionNode | undefined {
    return this.list.popTail();
  }

  clear(): void {
    this.list.clear();
  }
}
