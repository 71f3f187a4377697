import { keyHash } from '../../src/domain/key-hash.js';
import type { EvictionEntries, EvictionPolicyFactory } from '../../src/domain/ports/eviction-policy.js';
import type { Trace } from './traces.js';

/** Key hashes of the trace objects' names, computed once and shared by all replays. */
export class KeyNames {
  private readonly hashes: number[] = [];
  hash(object: number): number {
    return (this.hashes[object] ??= keyHash(`key:${object}`));
  }
}

/**
 * The simulated cache's entries, named like MemoryCacheStore names them:
 * dense ids from 0, a freed id reused first. Maps each id to the trace
 * object it currently holds.
 */
class SimEntries implements EvictionEntries {
  /** Entry id -> trace object id. */
  objectOf = new Int32Array(1024);
  private readonly free: number[] = [];
  private nextId = 0;

  constructor(
    private readonly trace: Trace,
    private readonly names: KeyNames,
  ) {}

  sizeOf(id: number): number {
    return this.trace.sizes[this.objectOf[id]!]!;
  }

  hashOf(id: number): number {
    return this.names.hash(this.objectOf[id]!);
  }

  allocate(object: number): number {
    const id = this.free.length > 0 ? this.free.pop()! : this.nextId++;
    if (id >= this.objectOf.length) {
      const bigger = new Int32Array(this.objectOf.length * 2);
      bigger.set(this.objectOf);
      this.objectOf = bigger;
    }
    this.objectOf[id] = object;
    return id;
  }

  release(id: number): void {
    this.free.push(id);
  }
}

/**
 * Replays a trace as a read-through cache: a hit calls access(), a miss
 * inserts and then evicts while over the byte budget — the same calls, in
 * the same order, that MemoryCacheStore makes for get-miss-then-set, with
 * ids allocated and reused the same way. Objects larger than the budget are
 * not stored (the store refuses them too). Returns the object hit ratio.
 */
export function simulate(trace: Trace, makePolicy: EvictionPolicyFactory, capacityBytes: number, names: KeyNames): number {
  const entries = new SimEntries(trace, names);
  const policy = makePolicy(entries, capacityBytes);
  const { keys, sizes } = trace;
  /** Trace object id -> resident entry id, or -1. */
  const entryOf = new Int32Array(sizes.length).fill(-1);
  let bytes = 0;
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const object = keys[i]!;
    const resident = entryOf[object]!;
    if (resident >= 0) {
      hits++;
      policy.access(resident);
      continue;
    }
    const size = sizes[object]!;
    if (size > capacityBytes) continue;
    const id = entries.allocate(object);
    entryOf[object] = id;
    bytes += size;
    policy.insert(id);
    while (bytes > capacityBytes) {
      const victim = policy.evict();
      if (victim < 0) throw new Error(`${policy.name}: evict() returned -1 while over budget`);
      const evicted = entries.objectOf[victim]!;
      if (entryOf[evicted] !== victim) throw new Error(`${policy.name}: evicted id ${victim}, which is not resident`);
      entryOf[evicted] = -1;
      entries.release(victim);
      bytes -= sizes[evicted]!;
    }
  }
  return hits / keys.length;
}
