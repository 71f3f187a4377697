import { keyHash } from '../../../src/adapters/eviction/key-hash.js';
import { NodeList } from '../../../src/adapters/eviction/node-list.js';
import type { EvictionNode, EvictionPolicy } from '../../../src/domain/ports/eviction-policy.js';
import { FrequencySketch } from './frequency-sketch.js';

/** Share of the budget (bytes) for the admission window. */
export const WINDOW_SHARE = 0.01;
/** Share of the main region reserved for entries hit while in probation. */
export const PROTECTED_SHARE = 0.8;

/** `meta` = (29-bit key hash) * 4 + queue; the cached hash spares rehashing on hits. */
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
 */
export class WTinyLfuPolicy implements EvictionPolicy {
  readonly name = 'wtinylfu';
  private readonly window = new NodeList();
  private readonly probation = new NodeList();
  private readonly protected = new NodeList();
  private windowBytes = 0;
  private probationBytes = 0;
  private protectedBytes = 0;
  private readonly sketch = new FrequencySketch();
  /** xorshift32 state for the warm-candidate lottery. */
  private random = 0x9e3779b9;

  constructor(private readonly capacityBytes = 0) {}

  insert(node: EvictionNode): void {
    const hash = keyHash(node.key) & HASH_MASK;
    node.meta = hash * 4 + WINDOW;
    this.sketch.ensureCapacity(this.window.length + this.probation.length + this.protected.length + 1);
    this.sketch.increment(hash);
    this.window.pushHead(node);
    this.windowBytes += node.size;
    if (this.capacityBytes > 0) this.fillMain();
  }

  access(node: EvictionNode): void {
    const queue = node.meta & 3;
    this.sketch.increment(node.meta >>> 2);
    if (queue === WINDOW) {
      this.window.moveToHead(node);
    } else if (queue === PROTECTED) {
      this.protected.moveToHead(node);
    } else {
      this.probation.unlink(node);
      this.probationBytes -= node.size;
      this.pushProtected(node);
      const max = this.reference() * (1 - WINDOW_SHARE) * PROTECTED_SHARE;
      while (this.protectedBytes > max && this.protected.length > 1) {
        const demoted = this.protected.popTail()!;
        this.protectedBytes -= demoted.size;
        this.pushProbation(demoted);
      }
    }
  }

  remove(node: EvictionNode): void {
    const queue = node.meta & 3;
    if (queue === WINDOW) {
      this.window.unlink(node);
      this.windowBytes -= node.size;
    } else if (queue === PROBATION) {
      this.probation.unlink(node);
      this.probationBytes -= node.size;
    } else {
      this.protected.unlink(node);
      this.protectedBytes -= node.size;
    }
  }

  evict(): EvictionNode | undefined {
    // Unbounded by bytes (an entry budget, or none): the store evicts right
    // after inserting, so its budget is at least what was resident before the
    // newest entry; sizing main by that makes the newcomers compete at once.
    const reference =
      this.capacityBytes > 0 ? this.reference() : this.reference() - (this.window.head?.size ?? 0);
    const windowMax = reference * WINDOW_SHARE;
    const mainMax = reference - windowMax;
    while (this.window.length > 1 && this.windowBytes > windowMax) {
      const candidate = this.window.tail!;
      const victim = this.probation.tail ?? this.protected.tail;
      if (victim === null || this.mainBytes() + candidate.size <= mainMax) {
        this.moveToProbation(candidate);
        continue;
      }
      if (this.admit(this.sketch.frequency(candidate.meta >>> 2), this.sketch.frequency(victim.meta >>> 2))) {
        this.remove(victim);
        this.moveToProbation(candidate);
        return victim;
      }
      this.remove(candidate);
      return candidate;
    }
    const victim = this.probation.tail ?? this.protected.tail ?? this.window.tail;
    if (victim === null) return undefined;
    this.remove(victim);
    return victim;
  }

  clear(): void {
    this.window.clear();
    this.probation.clear();
    this.protected.clear();
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
      const candidate = this.window.tail!;
      if (this.mainBytes() + candidate.size > mainMax) return;
      this.moveToProbation(candidate);
    }
  }

  private moveToProbation(node: EvictionNode): void {
    this.window.unlink(node);
    this.windowBytes -= node.size;
    this.pushProbation(node);
  }

  private pushProbation(node: EvictionNode): void {
    node.meta = (node.meta & ~3) + PROBATION;
    this.probation.pushHead(node);
    this.probationBytes += node.size;
  }

  private pushProtected(node: EvictionNode): void {
    node.meta = (node.meta & ~3) + PROTECTED;
    this.protected.pushHead(node);
    this.protectedBytes += node.size;
  }
}
