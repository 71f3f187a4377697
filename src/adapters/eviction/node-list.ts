import type { EvictionNode } from '../../domain/ports/eviction-policy.js';

/**
 * Intrusive doubly linked list over EvictionNode.prev/next: O(1) push,
 * unlink and pop with no allocation. Head = most recently pushed.
 * A node may be in at most one NodeList at a time.
 */
export class NodeList {
  head: EvictionNode | null = null;
  tail: EvictionNode | null = null;
  length = 0;

  pushHead(node: EvictionNode): void {
    node.prev = null;
    node.next = this.head;
    if (this.head) this.head.prev = node;
    else this.tail = node;
    this.head = node;
    this.length++;
  }

  unlink(node: EvictionNode): void {
    const { prev, next } = node;
    if (prev) prev.next = next;
    else this.head = next;
    if (next) next.prev = prev;
    else this.tail = prev;
    node.prev = node.next = null;
    this.length--;
  }

  moveToHead(node: EvictionNode): void {
    if (this.head === node) return;
    this.unlink(node);
    this.pushHead(node);
  }

  popTail(): EvictionNode | undefined {
    const node = this.tail;
    if (!node) return undefined;
    this.unlink(node);
    return node;
  }

  /**
   * Moves every node of `older` behind this list's tail in O(1), keeping
   * their order, and leaves `older` empty. Used to merge LFU buckets.
   */
  appendOlder(older: NodeList): void {
    if (older === this || older.head === null) return;
    if (this.tail === null) {
      this.head = older.head;
    } else {
      this.tail.next = older.head;
      older.head.prev = this.tail;
    }
    this.tail = older.tail;
    this.length += older.length;
    older.clear();
  }

  clear(): void {
    this.head = this.tail = null;
    this.length = 0;
  }
}
