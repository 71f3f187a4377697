/**
 * What a policy may ask the store about an entry it tracks. Entries are
 * named by small integer ids the store owns: dense from 0, reused after an
 * entry is removed or evicted. Policies keep their per-entry state in typed
 * arrays indexed by id (no object per entry; see docs/adr/0008-compact-memory-store.md).
 */
export interface EvictionEntries {
  /** Bytes the entry is charged for (key + value + overhead), as of now. */
  sizeOf(id: number): number;
  /** keyHash() of the entry's key, for policies that remember keys after eviction. */
  hashOf(id: number): number;
}

/**
 * Decides which entry leaves the memory tier when it is over budget.
 * Every method must be O(1) amortised and must not allocate per call
 * (growing a typed array when a new, higher id appears is fine).
 */
export interface EvictionPolicy {
  readonly name: string;
  /**
   * Bytes of policy state per resident entry at steady state (its arrays
   * with their growth slack, and any history of evicted keys). The store
   * charges it against its budget with its own per-entry cost.
   */
  readonly entryOverhead: number;
  /** A new entry `id` was stored; its size and key are readable now. */
  insert(id: number): void;
  /** Entry `id` was read (a hit). */
  access(id: number): void;
  /**
   * Entry `id` was overwritten in place: counts as an access, and its size
   * may have changed (re-read it if the policy accounts bytes).
   */
  update(id: number): void;
  /** Entry `id` left the store for another reason (delete, expiry, replace). */
  remove(id: number): void;
  /** Chooses a victim, detaches it and returns its id; -1 when empty. */
  evict(): number;
  /** Forgets every entry. */
  clear(): void;
}
export const EvictionPolicy = Symbol('EvictionPolicy');

/** Creates a fresh policy for one store, over that store's entries and byte budget (0 = unbounded). */
export type EvictionPolicyFactory = (entries: EvictionEntries, capacityBytes: number) => EvictionPolicy;
export const EvictionPolicyFactory = Symbol('EvictionPolicyFactory');
