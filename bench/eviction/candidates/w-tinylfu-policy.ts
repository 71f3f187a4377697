import { capacityFor, grown, IdLinks, IdList, NONE } from '../../../src/adapters/eviction/id-list.js';
import type { EvictionEntries, EvictionPolicy } from '../../../src/domain/ports/eviction-policy.js';
import { FrequencySketch } from './frequency-sketch.js';

/** Share of the budget (bytes) for the admission window. */
export const WINDOW_SHARE = 0.01;
/** Share of the main region reserved for entries hit while in probation. */
export const PROTECTED_SHARE = 0.8;

/** Per-id state = (29-bit key hash) * 4 + queue; the cached hash spares rehashing on hits. */
const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
const HASH_MASK = 0x1fffffff;
/** Sketch count from which a losing candidate may still be admitted at random. */
const WARM = 6;

/**
 * W-TinyLFU (Einziger, Friedman & Manes, 2017; the Caffeine design without
 * its adaptive window): a small LRU window (1% of the bytes) in front of a
 * segmented LRU main region (probation + protected, 80% of main). Every
 * insert and hit is counted in a count-min sketch of 4-bit counters that is
 * halved periodically. When the window overflows, its LRU entry (the
 * candidate) may enter main only if main has room or if the sketch says it
 * is more popular than main's victim (probation LRU); otherwise the
 * candidate itself is evicted. Hits in probation promote to protected; the
 * protected overflow is demoted back to probation.
 *
 * Benchmark candidate, not in the policy registry: it lost to S3-FIFO on
 * average (docs/eviction.md), mostly because a static 1% window adapts
 * slowly to popularity shifts (Caffeine adds hill climbing for that).
 * Promoting it = move it to src/adapters/eviction/ + one registry line.
 *
 * Budget: shares are of min(capacityBytes, resident bytes), so the policy
 * still splits sensibly under an entry budget or after a resize. With
 * capacityBytes 0 (no byte budget) the window overflow moves to main lazily,
 * at the first eviction, against a budget estimated as the resident bytes
 * before the newest entry. The window always keeps
 * its newest entry, so a just-inserted key is never judged before it had a
 * chance to be hit.
 *
 * Per entry: two links, the state word and the charged size (16 bytes); each
 * entry is charged the size read at insert or update, and exactly that is
 * taken back when it moves or leaves.
 */
export class WTinyLfuPolicy implements EvictionPolicy {
  readonly name = 'wtinylfu';
  /** Links, hash/segment word and charged size (16 B) with their growth slack, plus the frequency sketch. */
  readonly entryOverhead = 40;
  private readonly links = new IdLinks();
  private readonly window = new IdList(this.links);
  private readonly probation = new IdList(this.links);
  private readonly protected = new IdList(this.links);
  private state = new Uint32Array(this.links.capacity);
  private charged = new Uint32Array(this.links.capacity);
  private windowBytes = 0;
  private probationBytes = 0;
  private protectedBytes = 0;
  private readonly sketch = new FrequencySketch();
  /** xorshift32 state for the warm-candidate lottery. */
  private random = 0x9e3779b9;

  constructor(
    private readonly entries: EvictionEntries,
    private readonly capacityBytes = 0,
  ) {}

  /** Bytes currently charged to resident entries (all three segments). */
  get chargedBytes(): number {
    return this.windowBytes + this.probationBytes + this.protectedBytes;
  }

  insert(id: number): void {
    if (id >= this.links.capacity) this.grow(id);
    const hash = this.entries.hashOf(id) & HASH_MASK;
    const size = this.entries.sizeOf(id);
    this.state[id] = hash * 4 + WINDOW;
    this.charged[id] = size;
    this.sketch.ensureCapacity(this.window.length + this.probation.length + this.protected.length + 1);
    this.sketch.increment(hash);
    this.window.pushHead(id);
    this.windowBytes += size;
    if (this.capacityBytes > 0) this.fillMain();
  }

  access(id: number): void {
    const queue = this.state[id]! & 3;
    this.sketch.increment(this.state[id]! >>> 2);
    if (queue === WINDOW) {
      this.window.moveToHead(id);
    } else if (queue === PROTECTED) {
      this.protected.moveToHead(id);
    } else {
      this.probation.unlink(id);
      this.probationBytes -= this.charged[id]!;
      this.pushProtected(id);
      const max = this.reference() * (1 - WINDOW_SHARE) * PROTECTED_SHARE;
      while (this.protectedBytes > max && this.protected.length > 1) {
        const demoted = this.protected.popTail();
        this.protectedBytes -= this.charged[demoted]!;
        this.pushProbation(demoted);
      }
    }
  }

  update(id: number): void {
    this.access(id);
    const size = this.entries.sizeOf(id);
    const delta = size - this.charged[id]!;
    this.charged[id] = size;
    const queue = this.state[id]! & 3;
    if (queue === WINDOW) this.windowBytes += delta;
    else if (queue === PROBATION) this.probationBytes += delta;
    else this.protectedBytes += delta;
  }

  remove(id: number): void {
    const queue = this.state[id]! & 3;
    if (queue === WINDOW) {
      this.window.unlink(id);
      this.windowBytes -= this.charged[id]!;
    } else if (queue === PROBATION) {
      this.probation.unlink(id);
      this.probationBytes -= this.charged[id]!;
    } else {
      this.protected.unlink(id);
      this.protectedBytes -= this.charged[id]!;
    }
  }

  evict(): number {
    // Unbounded by bytes (an entry budget, or none): the store evicts right
    // after inserting, so its budget is at least what was resident before the
    // newest entry; sizing main by that makes the newcomers compete at once.
    const newest = this.window.head;
    const reference = this.capacityBytes > 0 ? this.reference() : this.reference() - (newest !== NONE ? this.charged[newest]! : 0);
    const windowMax = reference * WINDOW_SHARE;
    const mainMax = reference - windowMax;
    while (this.window.length > 1 && this.windowBytes > windowMax) {
      const candidate = this.window.tail;
      const victim = this.probation.tail !== NONE ? this.probation.tail : this.protected.tail;
      if (victim === NONE || this.mainBytes() + this.charged[candidate]! <= mainMax) {
        this.moveToProbation(candidate);
        continue;
      }
      if (this.admit(this.sketch.frequency(this.state[candidate]! >>> 2), this.sketch.frequency(this.state[victim]! >>> 2))) {
        this.remove(victim);
        this.moveToProbation(candidate);
        return victim;
      }
      this.remove(candidate);
      return candidate;
    }
    const victim = this.probation.tail !== NONE ? this.probation.tail : this.protected.tail !== NONE ? this.protected.tail : this.window.tail;
    if (victim !== NONE) this.remove(victim);
    return victim;
  }

  clear(): void {
    this.window.clear();
    this.probation.clear();
    this.protected.clear();
    this.links.reset();
    this.windowBytes = this.probationBytes = this.protectedBytes = 0;
    this.sketch.clear();
  }

  /**
   * TinyLFU's rule: the more popular of the two stays. As in Caffeine, a
   * warm candidate that loses still gets in 1 time in 128, so saturated
   * (15) counts of a former hot set cannot lock new popular keys out until
   * the next halving, and an attacker cannot pin a victim by flooding.
   */
  private admit(candidateFreq: number, victimFreq: number): boolean {
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq < WARM) return false;
    this.random ^= this.random << 13;
    this.random ^= this.random >>> 17;
    this.random ^= this.random << 5;
    return (this.random & 127) === 0;
  }

  private grow(id: number): void {
    const capacity = capacityFor(id, this.links.capacity);
    this.links.grow(capacity);
    this.state = grown(this.state, capacity);
    this.charged = grown(this.charged, capacity);
  }

  private mainBytes(): number {
    return this.probationBytes + this.protectedBytes;
  }

  private reference(): number {
    const resident = this.windowBytes + this.probationBytes + this.protectedBytes;
    return this.capacityBytes > 0 ? Math.min(this.capacityBytes, resident) : resident;
  }

  /** While the cache fills, window overflow enters main unopposed. */
  private fillMain(): void {
    const windowMax = this.capacityBytes * WINDOW_SHARE;
    const mainMax = this.capacityBytes - windowMax;
    while (this.window.length > 1 && this.windowBytes > windowMax) {
      const candidate = this.window.tail;
      if (this.mainBytes() + this.charged[candidate]! > mainMax) return;
      this.moveToProbation(candidate);
    }
  }

  private moveToProbation(id: number): void {
    this.window.unlink(id);
    this.windowBytes -= this.charged[id]!;
    this.pushProbation(id);
  }

  private pushProbation(id: number): void {
    this.state[id] = (this.state[id]! & ~3) + PROBATION;
    this.probation.pushHead(id);
    this.probationBytes += this.charged[id]!;
  }

  private pushProtected(id: number): void {
    this.state[id] = (this.state[id]! & ~3) + PROTECTED;
    this.protected.pushHead(id);
    this.protectedBytes += this.charged[id]!;
  }
}
