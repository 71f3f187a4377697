import { expect } from 'chai';
import { candidatePolicies } from '../../../bench/eviction/candidates/index.js';
import { evictionPolicies, evictionPolicyNames } from '../../../src/adapters/eviction/policy-registry.js';
import type { EvictionPolicy } from '../../../src/domain/ports/eviction-policy.js';
import { drain, TestEntries } from './harness.js';

/** Deterministic PRNG so the randomized walk is reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Bytes a byte-accounting policy says it holds; undefined for policies that do not count bytes. */
function chargedBytes(p: EvictionPolicy): number | undefined {
  return (p as { chargedBytes?: number }).chargedBytes;
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
        let e: TestEntries;
        let p: EvictionPolicy;
        beforeEach(() => {
          e = new TestEntries();
          p = contenders[name]!(e, capacityBytes);
        });
        const put = (key: string, size = 10): number => {
          const id = e.add(key, size);
          p.insert(id);
          return id;
        };
        /** Sum of the sizes of the entries still in the policy. */
        const residentBytes = (ids: Iterable<number>): number => {
          let sum = 0;
          for (const id of ids) sum += e.sizeOf(id);
          return sum;
        };

        it('reports its registry name', () => {
          expect(p.name).to.equal(name);
        });

        it('returns -1 when evicting from an empty policy', () => {
          expect(p.evict()).to.equal(-1);
          const id = put('a');
          p.remove(id);
          e.drop(id);
          expect(p.evict()).to.equal(-1);
          put('b');
          expect(e.drop(p.evict())).to.equal('b');
          expect(p.evict()).to.equal(-1);
          expect(chargedBytes(p) ?? 0).to.equal(0);
        });

        it('evicts every inserted id exactly once', () => {
          const ids = Array.from({ length: 50 }, (_, i) => put(`k${i}`));
          for (const id of ids.filter((_, i) => i % 3 === 0)) p.access(id);
          for (const id of ids.filter((_, i) => i % 5 === 0)) p.update(id);
          const seen = new Set<number>();
          for (let v = p.evict(); v !== -1; v = p.evict()) {
            expect(seen.has(v), `${v} evicted twice`).to.equal(false);
            seen.add(v);
          }
          expect([...seen]).to.have.members(ids);
        });

        it('never returns a removed id', () => {
          const ids = Array.from({ length: 40 }, (_, i) => put(`k${i}`));
          for (const id of ids.slice(0, 10)) p.access(id);
          for (const id of ids.filter((_, i) => i % 2 === 1)) {
            p.remove(id);
            e.drop(id);
          }
          expect(drain(p, e)).to.have.members(Array.from({ length: 20 }, (_, i) => `k${2 * i}`));
        });

        it('tracks ids reused after evict and remove as the new entries', () => {
          for (let i = 0; i < 10; i++) put(`old${i}`);
          p.access(e.idOf('old3'));
          const evicted = new Set<string>();
          for (let i = 0; i < 4; i++) evicted.add(e.drop(p.evict()));
          const removedKey = Array.from({ length: 10 }, (_, i) => `old${i}`).find((k) => !evicted.has(k))!;
          const removedId = e.idOf(removedKey);
          p.remove(removedId);
          e.drop(removedId);
          // The five freed ids come back for the new keys, most recently freed first.
          const fresh = Array.from({ length: 5 }, (_, i) => put(`new${i}`));
          expect(Math.max(...fresh)).to.be.below(10);
          for (const id of fresh) p.access(id);
          const expected = Array.from({ length: 10 }, (_, i) => `old${i}`)
            .filter((k) => !evicted.has(k) && k !== removedKey)
            .concat(Array.from({ length: 5 }, (_, i) => `new${i}`));
          expect(drain(p, e)).to.have.members(expected);
        });

        it('charges the size an in-place overwrite left, and takes back exactly that', () => {
          const a = put('a', 10);
          const b = put('b', 20);
          e.resize(a, 300);
          p.update(a);
          if (chargedBytes(p) !== undefined) expect(chargedBytes(p)).to.equal(320);
          e.resize(b, 5);
          p.update(b);
          if (chargedBytes(p) !== undefined) expect(chargedBytes(p)).to.equal(305);
          p.remove(a);
          e.drop(a);
          if (chargedBytes(p) !== undefined) expect(chargedBytes(p)).to.equal(5);
          expect(drain(p, e)).to.deep.equal(['b']);
          expect(chargedBytes(p) ?? 0).to.equal(0);
        });

        it('reads keys only on insert and evict, never on a hit', () => {
          const ids = Array.from({ length: 20 }, (_, i) => put(`k${i}`));
          const before = e.keyReads;
          for (let round = 0; round < 5; round++) for (const id of ids) p.access(id);
          expect(e.keyReads).to.equal(before);
        });

        it('keeps its bookkeeping through a random mix of operations, sizes changing in place', () => {
          const rand = lcg(7);
          const resident = new Set<number>();
          let nextKey = 0;
          for (let step = 0; step < 4000; step++) {
            const r = rand();
            const ids = [...resident];
            const pick = (): number => ids[Math.floor(rand() * ids.length)]!;
            if (r < 0.35 || ids.length === 0) {
              resident.add(put(`k${nextKey++}`, 1 + Math.floor(rand() * 50)));
            } else if (r < 0.65) {
              p.access(pick());
            } else if (r < 0.75) {
              const id = pick();
              e.resize(id, 1 + Math.floor(rand() * 80));
              p.update(id);
            } else if (r < 0.85) {
              const id = pick();
              resident.delete(id);
              p.remove(id);
              e.drop(id);
            } else {
              const v = p.evict();
              expect(resident.has(v), `evict() returned ${v}, not resident`).to.equal(true);
              resident.delete(v);
              e.drop(v);
            }
            const charged = chargedBytes(p);
            if (charged !== undefined) expect(charged, `step ${step}`).to.equal(residentBytes(resident));
          }
          expect(e.idsIssued, 'ids were reused').to.be.below(nextKey);
          const expected = [...resident].map((id) => e.keyOf(id));
          expect(drain(p, e)).to.have.members(expected);
          expect(chargedBytes(p) ?? 0).to.equal(0);
        });

        it('grows its arrays for 100k ids and keeps every one', () => {
          const n = 100_000;
          for (let i = 0; i < n; i++) put(`k${i}`, 1);
          for (let id = 0; id < n; id += 7) p.access(id);
          for (let id = 3; id < n; id += 10) p.update(id);
          for (let id = 5; id < n; id += 5) {
            p.remove(id);
            e.drop(id);
          }
          const left = e.count;
          if (chargedBytes(p) !== undefined) expect(chargedBytes(p)).to.equal(left);
          const seen = new Set<number>();
          for (let v = p.evict(); v !== -1; v = p.evict()) {
            expect(v % 5 !== 0 || v === 0, `removed id ${v} evicted`).to.equal(true);
            seen.add(v);
            e.drop(v);
          }
          expect(seen.size).to.equal(left);
        });

        it('forgets everything on clear and works afterwards, on the same ids', () => {
          const old = Array.from({ length: 20 }, (_, i) => put(`old${i}`));
          p.access(old[0]!);
          p.clear();
          for (const id of old) e.drop(id);
          expect(p.evict()).to.equal(-1);
          expect(chargedBytes(p) ?? 0).to.equal(0);
          const fresh = [put('x'), put('y'), put('z')];
          expect(fresh.every((id) => old.includes(id))).to.equal(true);
          p.access(fresh[0]!);
          p.update(fresh[1]!);
          expect(drain(p, e)).to.have.members(['x', 'y', 'z']);
          expect(p.evict()).to.equal(-1);
        });
      });
    }
  }
});
