import { keyHash } from '../../../src/domain/key-hash.js';
import type { EvictionEntries, EvictionPolicy, EvictionPolicyFactory } from '../../../src/domain/ports/eviction-policy.js';

/**
 * Entries as a store keeps them: dense integer ids, a freed id reused first
 * (most recently freed first), a key and a size per id. Sizes can change in
 * place (an overwrite), which is what EvictionPolicy.update is told about.
 */
export class TestEntries implements EvictionEntries {
  private readonly keys: (string | undefined)[] = [];
  private readonly sizes: number[] = [];
  private readonly free: number[] = [];
  private readonly ids = new Map<string, number>();
  /** How many times a policy asked for a key (policies must not on hits). */
  keyReads = 0;

  sizeOf(id: number): number {
    const size = this.sizes[id];
    if (size === undefined || this.keys[id] === undefined) throw new Error(`sizeOf(${id}): no such entry`);
    return size;
  }

  hashOf(id: number): number {
    const key = this.keys[id];
    if (key === undefined) throw new Error(`hashOf(${id}): no such entry`);
    this.keyReads++;
    return keyHash(key);
  }

  /** The key of a live id (for assertions; not part of EvictionEntries). */
  keyOf(id: number): string {
    const key = this.keys[id];
    if (key === undefined) throw new Error(`keyOf(${id}): no such entry`);
    return key;
  }

  /** Gives `key` an id (a freed one if any) and records its size. */
  add(key: string, size = 1): number {
    if (this.ids.has(key)) throw new Error(`${key} is already an entry`);
    const id = this.free.length > 0 ? this.free.pop()! : this.keys.length;
    this.keys[id] = key;
    this.sizes[id] = size;
    this.ids.set(key, id);
    return id;
  }

  /** Frees `id` for reuse. */
  drop(id: number): string {
    const key = this.keys[id];
    if (key === undefined) throw new Error(`drop(${id}): no such entry`);
    this.keys[id] = undefined;
    this.ids.delete(key);
    this.free.push(id);
    return key;
  }

  resize(id: number, size: number): void {
    this.sizes[id] = size;
  }

  idOf(key: string): number {
    const id = this.ids.get(key);
    if (id === undefined) throw new Error(`${key} is not an entry`);
    return id;
  }

  has(key: string): boolean {
    return this.ids.has(key);
  }

  /** Ids handed out so far (live or free). */
  get idsIssued(): number {
    return this.keys.length;
  }

  get count(): number {
    return this.ids.size;
  }
}

/**
 * Drives a policy the way MemoryCacheStore does: insert, then evict while
 * over the byte budget, freeing each victim's id for reuse. Records what was
 * evicted, in order.
 */
export class PolicyHarness {
  readonly entries = new TestEntries();
  readonly policy: EvictionPolicy;
  readonly evicted: string[] = [];
  bytes = 0;

  constructor(
    make: EvictionPolicyFactory,
    readonly budget: number,
    capacityBytes = budget,
  ) {
    this.policy = make(this.entries, capacityBytes);
  }

  /** Stores `key` (if absent) and returns its id. */
  put(key: string, size = 1): number {
    if (this.entries.has(key)) return this.entries.idOf(key);
    const id = this.entries.add(key, size);
    this.bytes += size;
    this.policy.insert(id);
    this.evictOverBudget();
    return id;
  }

  /** Overwrites `key` in place with a new size (it must be resident). */
  overwrite(key: string, size: number): void {
    const id = this.entries.idOf(key);
    this.bytes += size - this.entries.sizeOf(id);
    this.entries.resize(id, size);
    this.policy.update(id);
    this.evictOverBudget();
  }

  /** A read: true on a hit (which the policy hears about). */
  get(key: string, times = 1): boolean {
    if (!this.entries.has(key)) return false;
    const id = this.entries.idOf(key);
    for (let i = 0; i < times; i++) this.policy.access(id);
    return true;
  }

  /** A delete: true when the key was resident. */
  delete(key: string): boolean {
    if (!this.entries.has(key)) return false;
    const id = this.entries.idOf(key);
    this.policy.remove(id);
    this.bytes -= this.entries.sizeOf(id);
    this.entries.drop(id);
    return true;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  private evictOverBudget(): void {
    while (this.bytes > this.budget) {
      const victim = this.policy.evict();
      if (victim < 0) throw new Error('evict() returned -1 while over budget');
      this.bytes -= this.entries.sizeOf(victim);
      this.evicted.push(this.entries.drop(victim));
    }
  }
}

/** Evicts until the policy says it is empty, freeing ids; returns the keys in eviction order. */
export function drain(policy: EvictionPolicy, entries: TestEntries): string[] {
  const out: string[] = [];
  for (let id = policy.evict(); id !== -1; id = policy.evict()) out.push(entries.drop(id));
  return out;
}
