/**
 * Per-entry bookkeeping an eviction policy may use. Stores embed it in their
 * own entry objects (intrusive lists), so a policy costs no extra map lookup
 * and no allocation per access.
 */
export interface EvictionNode {
  readonly key: string;
  /** Bytes this entry is charged for (key + value + overhead). */
  size: number;
  prev: EvictionNode | null;
  next: EvictionNode | null;
  /** Policy-private scalar: frequency, visited bit, queue id... */
  meta: number;
}

/**
 * Decides which entry leaves the memory tier when it is over budget.
 * Every method must be O(1) amortised.
 */
export interface EvictionPolicy {
  readonly name: string;
  /** A new entry was stored. */
  insert(node: EvictionNode): void;
  /** An existing entry was read or updated. */
  access(node: EvictionNode): void;
  /** The entry left the store for another reason (delete, expiry, replace). */
  remove(node: EvictionNode): void;
  /** Chooses a victim and detaches it; undefined when empty. */
  evict(): EvictionNode | undefined;
  /** Forgets every entry. */
  clear(): void;
}
export const EvictionPolicy = Symbol('EvictionPolicy');

/** Creates fresh policy instances (one per store). */
export type EvictionPolicyFactory = () => EvictionPolicy;
export const EvictionPolicyFactory = Symbol('EvictionPolicyFactory');
