import type { EvictionNode, EvictionPolicy } from '../../../src/domain/ports/eviction-policy.js';

/** A bare EvictionNode, as a store would embed it. */
export function node(key: string, size = 1): EvictionNode {
  return { key, size, prev: null, next: null, meta: 0 };
}

/**
 * Drives a policy the way MemoryCacheStore does: insert, then evict while
 * over the byte budget. Records what was evicted, in order.
 */
export class PolicyHarness {
  readonly resident = new Map<string, EvictionNode>();
  readonly evicted: string[] = [];
  bytes = 0;

  constructor(
    readonly policy: EvictionPolicy,
    readonly budget: number,
  ) {}

  /** Stores `key` (if absent) and returns its node. */
  put(key: string, size = 1): EvictionNode {
    const existing = this.resident.get(key);
    if (existing) return existing;
    const n = node(key, size);
    this.resident.set(key, n);
    this.bytes += size;
    this.policy.insert(n);
    while (this.bytes > this.budget) {
      const victim = this.policy.evict();
      if (!victim) throw new Error('evict() returned undefined while over budget');
      if (this.resident.get(victim.key) !== victim) throw new Error(`evicted non-resident ${victim.key}`);
      this.resident.delete(victim.key);
      this.bytes -= victim.size;
      this.evicted.push(victim.key);
    }
    return n;
  }

  /** A read: true on a hit (which the policy hears about). */
  get(key: string, times = 1): boolean {
    const n = this.resident.get(key);
    if (!n) return false;
    for (let i = 0; i < times; i++) this.policy.access(n);
    return true;
  }

  has(key: string): boolean {
    return this.resident.has(key);
  }
}

/** Evicts until empty and returns the keys in eviction order. */
export function drain(policy: EvictionPolicy): string[] {
  const out: string[] = [];
  for (let n = policy.evict(); n !== undefined; n = policy.evict()) out.push(n.key);
  return out;
}
