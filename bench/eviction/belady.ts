import { seededRandom } from './prng.js';
import type { Trace } from './traces.js';

/**
 * For each request, the index of the next request for the same key, or a
 * value >= keys.length (unique per key) when there is none.
 */
export function nextUses(trace: Trace): Int32Array {
  const { keys } = trace;
  const n = keys.length;
  const next = new Int32Array(n);
  const seen = new Int32Array(trace.sizes.length).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const k = keys[i]!;
    const later = seen[k]!;
    next[i] = later >= 0 ? later : n + k;
    seen[k] = i;
  }
  return next;
}

/**
 * Belady's MIN for equal sizes: on a miss the object is admitted and, while
 * over budget, the resident object whose next use is farthest is evicted
 * (possibly the newcomer, i.e. bypass). With equal sizes this is the optimal
 * hit ratio. A max-heap with lazy deletion: a hit pushes the new next use
 * and leaves the old heap entry stale.
 */
export function beladyEqual(trace: Trace, capacityBytes: number, next: Int32Array): number {
  const { keys, sizes } = trace;
  const n = keys.length;
  const cachedNext = new Int32Array(sizes.length).fill(-1);
  const heapPrio = new Int32Array(n + 1);
  const heapKey = new Int32Array(n + 1);
  let heapSize = 0;
  const push = (prio: number, key: number): void => {
    let i = heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapPrio[parent]! >= prio) break;
      heapPrio[i] = heapPrio[parent]!;
      heapKey[i] = heapKey[parent]!;
      i = parent;
    }
    heapPrio[i] = prio;
    heapKey[i] = key;
  };
  const pop = (): number => {
    const top = heapKey[0]!;
    const lastPrio = heapPrio[--heapSize]!;
    const lastKey = heapKey[heapSize]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= heapSize) break;
      if (c + 1 < heapSize && heapPrio[c + 1]! > heapPrio[c]!) c++;
      if (heapPrio[c]! <= lastPrio) break;
      heapPrio[i] = heapPrio[c]!;
      heapKey[i] = heapKey[c]!;
      i = c;
    }
    heapPrio[i] = lastPrio;
    heapKey[i] = lastKey;
    return top;
  };
  let bytes = 0;
  let hits = 0;
  for (let t = 0; t < n; t++) {
    const k = keys[t]!;
    const nu = next[t]!;
    if (cachedNext[k]! >= 0) {
      hits++;
    } else {
      if (nu >= n || sizes[k]! > capacityBytes) continue; // never reused: MIN would not keep it
      bytes += sizes[k]!;
    }
    cachedNext[k] = nu;
    push(nu, k);
    while (bytes > capacityBytes) {
      const prio = heapPrio[0]!;
      const victim = pop();
      if (cachedNext[victim] !== prio) continue; // stale entry
      cachedNext[victim] = -1;
      bytes -= sizes[victim]!;
    }
  }
  return hits / n;
}

/** Resident objects examined per eviction by the sampled size-aware MIN. */
const BELADY_SIZE_SAMPLE = 64;

/**
 * Size-aware MIN approximation ("Belady-Size", as used by e.g. the LRB
 * paper): while over budget, evict — among BELADY_SIZE_SAMPLE randomly
 * sampled resident objects — the one with the largest
 * size x (next use - now), and never admit an object that is not reused.
 * Exact MIN with variable sizes is NP-hard, so this is a strong offline
 * heuristic, not a proven upper bound.
 */
export function beladySize(trace: Trace, capacityBytes: number, next: Int32Array, seed: number): number {
  const { keys, sizes } = trace;
  const n = keys.length;
  const rand = seededRandom(seed);
  const cachedNext = new Int32Array(sizes.length).fill(-1);
  const slot = new Int32Array(sizes.length).fill(-1);
  const residentIds: number[] = [];
  let bytes = 0;
  let hits = 0;
  for (let t = 0; t < n; t++) {
    const k = keys[t]!;
    const nu = next[t]!;
    if (cachedNext[k]! >= 0) {
      hits++;
      cachedNext[k] = nu;
      if (nu < n) continue;
      // Never used again: drop it now, it only takes room.
      evictId(k);
      continue;
    }
    if (nu >= n || sizes[k]! > capacityBytes) continue;
    cachedNext[k] = nu;
    slot[k] = residentIds.length;
    residentIds.push(k);
    bytes += sizes[k]!;
    while (bytes > capacityBytes) {
      let victim = k;
      let worst = sizes[k]! * (nu - t);
      const m = residentIds.length;
      const samples = Math.min(BELADY_SIZE_SAMPLE, m);
      for (let s = 0; s < samples; s++) {
        const id = samples === m ? residentIds[s]! : residentIds[Math.floor(rand() * m)]!;
        const score = sizes[id]! * (cachedNext[id]! - t);
        if (score > worst) {
          worst = score;
          victim = id;
        }
      }
      evictId(victim);
    }
  }
  return hits / n;

  function evictId(id: number): void {
    const at = slot[id]!;
    const last = residentIds.pop()!;
    if (last !== id) {
      residentIds[at] = last;
      slot[last] = at;
    }
    slot[id] = -1;
    cachedNext[id] = -1;
    bytes -= sizes[id]!;
  }
}
