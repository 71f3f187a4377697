import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { NodeList } from './node-list.js';

/** First in, first out: entries leave in insertion order; hits change nothing. */
export class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo';
  private readonly list = new NodeList();

  insert(node: EvictionNode): void {
    this.list.pushHead(node);
  }

  access(_node: EvictionNode): void {
    // Deliberately nothing: a hit costs no write, which is FIFO's whole point.
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
