import type { EvictionEntries, EvictionPolicy } from '../../domain/ports/eviction-policy.js';
import { GhostQueue } from './ghost-queue.js';
import { capacityFor, grown, IdLinks, IdList, NONE } from './id-list.js';

/** Share of the budget (bytes) the small probationary queue may hold. */
export const S3FIFO_SMALL_SHARE = 0.1;
const MAX_FREQ = 3;
/** Per-id state byte = queue + freq (freq is the low 2 bits). */
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
 * Byte-aware: the S/M split compares bytes. Each entry is charged the size
 * read at insert (and again at update, when an overwrite may change it), and
 * exactly that charge is taken back when it leaves, so the queue totals
 * cannot drift. The reference budget is min(capacityBytes, resident bytes)
 * — resident bytes when capacityBytes is 0 (unbounded) — so an entry budget
 * that binds before the byte budget, or a resize, still keeps S at about a
 * tenth of the cache. Hits only bump a counter (no list move). Eviction is
 * O(1) amortised: every reinsertion or S->M move consumes counter increments
 * paid for by hits. Per entry: two links, the state byte and the charged
 * size (13 bytes), plus the ghost queue (hashes, not ids).
 */
export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3fifo';
  /**
   * Links, state byte and charged size (13 B) with their growth slack, plus
   * the ghost queue: up to one evicted key hash per resident entry, 8 B of
   * ring + 9 B per index slot at load <= 1/2, ~40 B per resident entry.
   */
  readonly entryOverhead = 56;
  private readonly links = new IdLinks();
  private readonly small = new IdList(this.links);
  private readonly main = new IdList(this.links);
  private readonly ghost = new GhostQueue();
  private state = new Uint8Array(this.links.capacity);
  private charged = new Uint32Array(this.links.capacity);
  private smallBytes = 0;
  private mainBytes = 0;

  constructor(
    private readonly entries: EvictionEntries,
    private readonly capacityBytes = 0,
  ) {}

  /** Bytes currently charged to resident entries (small + main). */
  get chargedBytes(): number {
    return this.smallBytes + this.mainBytes;
  }

  insert(id: number): void {
    if (id >= this.links.capacity) this.grow(id);
    const size = this.entries.sizeOf(id);
    this.charged[id] = size;
    if (this.ghost.take(this.entries.hashOf(id))) {
      this.state[id] = MAIN;
      this.main.pushHead(id);
      this.mainBytes += size;
    } else {
      this.state[id] = SMALL;
      this.small.pushHead(id);
      this.smallBytes += size;
    }
  }

  access(id: number): void {
    if ((this.state[id]! & 3) < MAX_FREQ) this.state[id]!++;
  }

  update(id: number): void {
    this.access(id);
    const size = this.entries.sizeOf(id);
    const delta = size - this.charged[id]!;
    this.charged[id] = size;
    if (this.state[id]! >= MAIN) this.mainBytes += delta;
    else this.smallBytes += delta;
  }

  remove(id: number): void {
    if (this.state[id]! >= MAIN) {
      this.main.unlink(id);
      this.mainBytes -= this.charged[id]!;
    } else {
      this.small.unlink(id);
      this.smallBytes -= this.charged[id]!;
    }
  }

  evict(): number {
    if (this.small.length > 0 && (this.smallBytes >= this.reference() * S3FIFO_SMALL_SHARE || this.main.length === 0)) {
      const victim = this.evictSmall();
      if (victim !== NONE) return victim;
      // Every S entry had been hit and moved to M, so M is now non-empty.
    }
    return this.evictMain();
  }

  clear(): void {
    this.small.clear();
    this.main.clear();
    this.links.reset();
    this.ghost.clear();
    this.smallBytes = this.mainBytes = 0;
  }

  private grow(id: number): void {
    const capacity = capacityFor(id, this.links.capacity);
    this.links.grow(capacity);
    this.state = grown(this.state, capacity);
    this.charged = grown(this.charged, capacity);
  }

  private reference(): number {
    const resident = this.smallBytes + this.mainBytes;
    return this.capacityBytes > 0 ? Math.min(this.capacityBytes, resident) : resident;
  }

  /** Promotes hit entries from the S tail to M; evicts the first unhit one, or NONE if S drained. */
  private evictSmall(): number {
    for (let t = this.small.tail; t !== NONE; t = this.small.tail) {
      const size = this.charged[t]!;
      this.small.unlink(t);
      this.smallBytes -= size;
      if ((this.state[t]! & 3) > 0) {
        this.state[t] = MAIN;
        this.main.pushHead(t);
        this.mainBytes += size;
        continue;
      }
      this.ghost.push(this.entries.hashOf(t), size);
      const ghostBytes = Math.max(this.reference() * (1 - S3FIFO_SMALL_SHARE), this.mainBytes);
      this.ghost.trim(ghostBytes, Math.max(1, this.small.length + this.main.length));
      return t;
    }
    return NONE;
  }

  private evictMain(): number {
    for (let t = this.main.tail; t !== NONE; t = this.main.tail) {
      if ((this.state[t]! & 3) > 0) {
        this.state[t]!--;
        this.main.moveToHead(t);
        continue;
      }
      this.main.unlink(t);
      this.mainBytes -= this.charged[t]!;
      return t;
    }
    return NONE;
  }
}
