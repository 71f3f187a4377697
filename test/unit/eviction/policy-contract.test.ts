import { expect } from 'chai';
import { candidatePolicies } from '../../../bench/eviction/candidates/index.js';
import { evictionPolicies, evictionPolicyNames } from '../../../src/adapters/eviction/policy-registry.js';
import type { EvictionNode } from '../../../src/domain/ports/eviction-policy.js';
import { drain, node } from './harness.js';

/** Deterministic PRNG so the randomized walk is reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Everything that can be configured, plus the benchmark-only candidates. */
const contenders = { ...evictionPolicies, ...candidatePolicies };

describe('eviction policy contract', () => {
  it('registers the six documented policies', () => {
    expect(evictionPolicyNames).to.have.members(['lru', 'lfu', 'fifo', 'hybrid', 'sieve', 's3fifo']);
  });

  for (const name of Object.keys(contenders)) {
    for (const capacityBytes of [1000, 0]) {
      describe(`${name} (capacityBytes ${capacityBytes})`, () => {
        const make = () => contenders[name]!(capacityBytes);

        it('reports its registry name', () => {
          expect(make().name).to.equal(name);
        });

        it('returns undefined when evicting from an empty policy', () => {
          const p = make();
          expect(p.evict()).to.equal(undefined);
          const n = node('a');
          p.insert(n);
          p.remove(n);
          expect(p.evict()).to.equal(undefined);
        });

        it('evicts every inserted node exactly once, detached', () => {
          const p = make();
          const nodes = Array.from({ length: 50 }, (_, i) => node(`k${i}`, 10));
          for (const n of nodes) p.insert(n);
          for (const n of nodes.filter((_, i) => i % 3 === 0)) p.access(n);
          const seen = new Set<EvictionNode>();
          for (let v = p.evict(); v !== undefined; v = p.evict()) {
            expect(seen.has(v), `${v.key} evicted twice`).to.equal(false);
            expect(v.prev).to.equal(null);
            expect(v.next).to.equal(null);
            seen.add(v);
          }
          expect(seen.size).to.equal(nodes.length);
        });

        it('never returns a removed node', () => {
          const p = make();
          const nodes = Array.from({ length: 40 }, (_, i) => node(`k${i}`, 10));
          for (const n of nodes) p.insert(n);
          for (const n of nodes.slice(0, 10)) p.access(n);
          const removed = nodes.filter((_, i) => i % 2 === 1);
          for (const n of removed) p.remove(n);
          const out = drain(p);
          expect(out).to.have.members(nodes.filter((_, i) => i % 2 === 0).map((n) => n.key));
        });

        it('keeps its bookkeeping through a random mix of operations', () => {
          const p = make();
          const rand = lcg(7);
          const resident = new Map<string, EvictionNode>();
          let nextKey = 0;
          for (let step = 0; step < 3000; step++) {
            const r = rand();
            const keys = [...resident.keys()];
            if (r < 0.4 || keys.length === 0) {
              const n = node(`k${nextKey++}`, 1 + Math.floor(rand() * 50));
              resident.set(n.key, n);
              p.insert(n);
            } else if (r < 0.75) {
              p.access(resident.get(keys[Math.floor(rand() * keys.length)]!)!);
            } else if (r < 0.85) {
              const n = resident.get(keys[Math.floor(rand() * keys.length)]!)!;
              resident.delete(n.key);
              p.remove(n);
            } else {
              const v = p.evict();
              expect(v, 'evict() on a non-empty policy').to.not.equal(undefined);
              expect(resident.get(v!.key)).to.equal(v);
              resident.delete(v!.key);
            }
          }
          expect(drain(p)).to.have.members([...resident.keys()]);
        });

        it('forgets everything on clear and works afterwards', () => {
          const p = make();
          for (let i = 0; i < 20; i++) p.insert(node(`old${i}`, 10));
          p.clear();
          expect(p.evict()).to.equal(undefined);
          const fresh = [node('x', 10), node('y', 10)];
          for (const n of fresh) p.insert(n);
          p.access(fresh[0]!);
          expect(drain(p)).to.have.members(['x', 'y']);
        });
      });
    }
  }
});
