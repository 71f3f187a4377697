import type { EvictionNode, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { GhostQueue } from './ghost-queue.js';
import { keyHash } from './key-hash.js';
import { NodeList } from './node-list.js';

/** Share of the budget (bytes) the small probationary queue may hold. */
export const S3FIFO_SMALL_SHARE = 0.1;
const MAX_FREQ = 3;
/** `meta` = queue * 4 + freq (freq is 2 bits). */
const SMALL = 0;
const MAIN = 4;

/**
 * S3-FIFO (Yang et al., SOSP'23): three FIFO queues.
 *
 * - small (S, ~10% of the bytes): every new key lands here; when it reaches
 *   the tail it moves to main if it was hit meanwhile, otherwise it is
 *   evicted and its key hash is remembered in the ghost queue. One-hit
 *   wonders and scans therefore pass through S without disturbing main.
 * - main (M): the tail is evicted if its 2-bit counter is 0, otherwise the
 *   counter is decremented and the entry reinserted at the head.
 * - ghost (G): hashes of keys recently evicted from S, bounded like M (same
 *   bytes, and no more entries than are resident); a new key found there
 *   goes straight into M.
 *
 * Byte-aware: the S/M split compares bytes (node.size). The reference
 * budget is min(capacityBytes, resident bytes) — resident bytes when
 * capacityBytes is 0 (unbounded) — so an entry budget that binds before the
 * byte budget, or a resize, still keeps S at about a tenth of the cache.
 * Hits only bump a counter (no list move). Eviction is O(1) amortised: every
 * reinsertion or S->M move consumes counter increments paid for by hits.
 */
export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo';
  private readonly small = new NodeList();
  private readonly main = new NodeList();
  private readonly ghost = new GhostQueue();
  private smallBytes = 0;
  private mainBytes = 0;

  constructor(private readonly capacityBytes = 0) {}

  insert(node: EvictionNode): void {
    if (this.ghost.take(keyHash(node.key))) {
      node.meta = MAIN;
      this.main.pushHead(node);
      this.mainBytes += node.size;
    } else {
      node.meta = SMALL;
      this.small.pushHead(node);
      this.smallBytes += node.size;
    }
  }

  access(node: EvictionNode): void {
    if ((node.meta & 3) < MAX_FREQ) node.meta++;
  }

  remove(node: EvictionNode): void {
    if (node.meta >= MAIN) {
      this.main.unlink(node);
      this.mainBytes -= node.size;
    } else {
      this.small.unlink(node);
      this.smallBytes -= node.size;
    }
  }

  evict(): EvictionNode | undefined {
    if (this.small.length > 0 && (this.smallBytes >= this.reference() * S3FIFO_SMALL_SHARE || this.main.length === 0)) {
      const victim = this.evictSmall();
      if (victim !== undefined) return victim;
      // Every S entry had been hit and moved to M, so M is now non-empty.
    }
    return this.evictMain();
  }

  clear(): void {
    this.small.clear();
    this.main.clear();
    this.ghost.clear();
    this.smallBytes = this.mainBytes = 0;
  }

  private reference(): number {
    const resident = this.smallBytes + this.mainBytes;
    return this.capacityBytes > 0 ? Math.min(this.capacityBytes, resident) : resident;
  }

  /** Promotes hit entries from the S tail to M; evicts the first unhit one, or undefined if S drained. */
  private evictSmall(): EvictionNode | undefined {
    for (let t = this.small.tail; t !== null; t = this.small.tail) {
      this.small.unlink(t);
      this.smallBytes -= t.size;
      if ((t.meta & 3) > 0) {
        t.meta = MAIN;
        this.main.pushHead(t);
        this.mainBytes += t.size;
        continue;
      }
      this.ghost.push(keyHash(t.key), t.size);
      const ghostBytes = Math.max(this.reference() * (1 - S3FIFO_SMALL_SHARE), this.mainBytes);
      this.ghost.trim(ghostBytes, Math.max(1, this.small.length + this.main.length));
      return t;
    }
    return undefined;
  }

  private evictMain(): EvictionNode | undefined {
    for (let t = this.main.tail; t !== null; t = this.main.tail) {
      if ((t.meta & 3) > 0) {
        t.meta--;
        this.main.moveToHead(t);
        continue;
      }
      this.main.unlink(t);
      this.mainBytes -= t.size;
      return t;
    }
    return undefined;
  }
}
