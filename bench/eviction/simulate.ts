import type { EvictionNode, EvictionPolicy } from '../../src/domain/ports/eviction-policy.js';
import type { Trace } from './traces.js';

/** The simulator's entry: exactly what MemoryCacheStore embeds, plus nothing. */
class SimNode implements EvictionNode {
  prev: EvictionNode | null = null;
  next: EvictionNode | null = null;
  meta = 0;
  constructor(
    readonly key: string,
    readonly id: number,
    public size: number,
  ) {}
}

/** Key strings, built once per id and shared by all replays (policies hash them). */
export class KeyNames {
  private readonly names: string[] = [];
  get(id: number): string {
    return (this.names[id] ??= `key:${id}`);
  }
}

/**
 * Replays a trace as a read-through cache: a hit calls access(), a miss
 * inserts and then evicts while over the byte budget — the same calls, in
 * the same order, that MemoryCacheStore makes for get-miss-then-set. Objects
 * larger than the budget are not stored (the store refuses them too).
 * Returns the object hit ratio.
 */
export function simulate(trace: Trace, policy: EvictionPolicy, capacityBytes: number, names: KeyNames): number {
  const resident: (SimNode | undefined)[] = new Array(trace.sizes.length);
  const { keys, sizes } = trace;
  let bytes = 0;
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const id = keys[i]!;
    const node = resident[id];
    if (node !== undefined) {
      hits++;
      policy.access(node);
      continue;
    }
    const size = sizes[id]!;
    if (size > capacityBytes) continue;
    const fresh = new SimNode(names.get(id), id, size);
    resident[id] = fresh;
    bytes += size;
    policy.insert(fresh);
    while (bytes > capacityBytes) {
      const victim = policy.evict() as SimNode | undefined;
      if (victim === undefined) throw new Error(`${policy.name}: evict() returned nothing while over budget`);
      if (resident[victim.id] !== victim) throw new Error(`${policy.name}: evicted a node that is not resident`);
      resident[victim.id] = undefined;
      bytes -= victim.size;
    }
  }
  return hits / keys.length;
}
