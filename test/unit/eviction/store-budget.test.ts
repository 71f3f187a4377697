import { expect } from 'chai';
import { candidatePolicies } from '../../../bench/eviction/candidates/index.js';
import { evictionPolicies } from '../../../src/adapters/eviction/policy-registry.js';
import { MemoryCacheStore } from '../../../src/adapters/memory/memory-cache-store.js';
import { makeItem } from '../../../src/domain/item.js';
import { ManualClock } from '../../support/manual-clock.js';

/** Deterministic PRNG so each run replays the same workload. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('eviction policies inside MemoryCacheStore', () => {
  const contenders = { ...evictionPolicies, ...candidatePolicies };
  for (const name of Object.keys(contenders)) {
    it(`${name}: bytes stay under the byte budget and hits return the latest value`, () => {
      const maxMemory = 20_000;
      const store = new MemoryCacheStore({ maxMemory, maxEntries: 0, cleanupIntervalMs: 0 }, new ManualClock(), contenders[name]!);
      const rand = lcg(11);
      const latest = new Map<string, string>();
      let hits = 0;
      for (let i = 0; i < 4000; i++) {
        // Skewed keys: squaring a uniform favours low ids.
        const key = `key${Math.floor(rand() * rand() * 400)}`;
        if (rand() < 0.5) {
          const value = `${key}:${i}:`.padEnd(Math.floor(rand() * 400), 'x');
          expect(store.set(makeItem(key, Buffer.from(value, 'latin1'), 0, 0, i))).to.equal(true);
          latest.set(key, value);
        } else {
          const got = store.get(key);
          if (got) {
            hits++;
            expect(got.value.toString('latin1')).to.equal(latest.get(key));
          }
        }
        expect(store.stats().bytes).to.be.at.most(maxMemory);
      }
      const stats = store.stats();
      expect(stats.evictions).to.be.greaterThan(0);
      expect(stats.items).to.be.greaterThan(0);
      expect(hits).to.be.greaterThan(0);
    });

    it(`${name}: an entry budget alone (capacityBytes 0) is respected`, () => {
      const store = new MemoryCacheStore({ maxMemory: 0, maxEntries: 50, cleanupIntervalMs: 0 }, new ManualClock(), contenders[name]!);
      const rand = lcg(3);
      for (let i = 0; i < 2000; i++) {
        const key = `key${Math.floor(rand() * rand() * 300)}`;
        if (rand() < 0.5) store.set(makeItem(key, Buffer.alloc(10), 0, 0, i));
        else store.get(key);
        expect(store.stats().items).to.be.at.most(50);
      }
      expect(store.stats().evictions).to.be.greaterThan(0);
    });
  }
});
