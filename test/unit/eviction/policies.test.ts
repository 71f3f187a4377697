import { expect } from 'chai';
import { FifoPolicy } from '../../../src/adapters/eviction/fifo-policy.js';
import { HybridPolicy } from '../../../src/adapters/eviction/hybrid-policy.js';
import { LfuPolicy } from '../../../src/adapters/eviction/lfu-policy.js';
import { LruPolicy } from '../../../src/adapters/eviction/lru-policy.js';
import { S3FifoPolicy } from '../../../src/adapters/eviction/s3-fifo-policy.js';
import { SievePolicy } from '../../../src/adapters/eviction/sieve-policy.js';
import type { EvictionPolicy, EvictionPolicyFactory } from '../../../src/domain/ports/eviction-policy.js';
import { drain, PolicyHarness, TestEntries } from './harness.js';

/** Adds and inserts `keys` in order; returns their ids by key. */
function load(p: EvictionPolicy, e: TestEntries, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    out[k] = e.add(k);
    p.insert(out[k]!);
  }
  return out;
}

/** Inserts and removes throwaway entries: each insert is one operation of the aging clock. */
function churn(p: EvictionPolicy, e: TestEntries, operations: number): void {
  for (let i = 0; i < operations; i++) {
    const id = e.add(`t${i}`);
    p.insert(id);
    p.remove(id);
    e.drop(id);
  }
}

describe('LruPolicy', () => {
  it('evicts the least recently used first', () => {
    const e = new TestEntries();
    const p = new LruPolicy();
    const n = load(p, e, ['a', 'b', 'c']);
    p.access(n.a!);
    expect(drain(p, e)).to.deep.equal(['b', 'c', 'a']);
  });

  it('treats an in-place overwrite as a use', () => {
    const e = new TestEntries();
    const p = new LruPolicy();
    const n = load(p, e, ['a', 'b', 'c']);
    p.update(n.a!);
    expect(drain(p, e)).to.deep.equal(['b', 'c', 'a']);
  });
});

describe('FifoPolicy', () => {
  it('evicts in insertion order whatever the hits and overwrites', () => {
    const e = new TestEntries();
    const p = new FifoPolicy();
    const n = load(p, e, ['a', 'b', 'c']);
    p.access(n.a!);
    p.access(n.a!);
    p.update(n.a!);
    p.access(n.b!);
    expect(drain(p, e)).to.deep.equal(['a', 'b', 'c']);
  });
});

describe('LfuPolicy', () => {
  it('evicts the least frequently used, ties by recency', () => {
    const e = new TestEntries();
    const p = new LfuPolicy();
    const n = load(p, e, ['a', 'b', 'c', 'd']);
    for (let i = 0; i < 3; i++) p.access(n.a!);
    p.update(n.c!);
    expect(drain(p, e)).to.deep.equal(['b', 'd', 'c', 'a']);
  });

  it('ages counts so a formerly hot key can leave', () => {
    const e = new TestEntries();
    const p = new LfuPolicy();
    const n = load(p, e, ['hot', 'recent']);
    for (let i = 0; i < 100; i++) p.access(n.hot!);
    // Twelve epochs (of 1024 operations at this size) of unrelated churn.
    churn(p, e, 12 * 1024);
    for (let i = 0; i < 3; i++) p.access(n.recent!);
    expect(e.keyOf(p.evict())).to.equal('hot');
  });

  it('without enough churn the hot key still wins', () => {
    const e = new TestEntries();
    const p = new LfuPolicy();
    const n = load(p, e, ['hot', 'recent']);
    for (let i = 0; i < 100; i++) p.access(n.hot!);
    for (let i = 0; i < 3; i++) p.access(n.recent!);
    expect(e.keyOf(p.evict())).to.equal('recent');
  });
});

describe('HybridPolicy', () => {
  it('evicts the least frequently used among the least recent', () => {
    const e = new TestEntries();
    const p = new HybridPolicy();
    const n = load(p, e, ['a']);
    for (let i = 0; i < 3; i++) p.access(n.a!);
    load(p, e, ['b', 'c', 'd']);
    // 'a' is the LRU entry, but it was hit: 'b' goes first, as the least recent of the count-1 entries.
    expect(drain(p, e)).to.deep.equal(['b', 'c', 'd', 'a']);
  });

  it('only protects frequency within the sample of least recent entries', () => {
    const e = new TestEntries();
    const p = new HybridPolicy(2);
    const n = load(p, e, ['a', 'b', 'c']);
    p.access(n.a!);
    p.access(n.b!);
    p.update(n.b!);
    // LRU order (oldest first): c, a, b. Sample of 2 = {c, a}: c has the lower count.
    expect(e.drop(p.evict())).to.equal('c');
    // Sample {a, b}: a (2 uses) < b (3 uses).
    expect(e.drop(p.evict())).to.equal('a');
  });
});

describe('aged counts past 256 epochs (only 8 bits of the epoch are stored)', () => {
  for (const make of [() => new LfuPolicy(), () => new HybridPolicy()]) {
    it(`${make().name}: a key hot 258 epochs ago is still fully aged`, () => {
      const e = new TestEntries();
      const p = make();
      const n = load(p, e, ['hot', 'gone', 'recent']);
      for (let i = 0; i < 100; i++) {
        p.access(n.hot!);
        p.access(n.gone!);
      }
      // 258 epochs: a stored 8-bit epoch would read as 2 epochs old without the periodic restamp.
      churn(p, e, 258 * 1024);
      // Both must be found in LFU's bucket 0, where aging put them.
      p.remove(n.gone!);
      e.drop(n.gone!);
      for (let i = 0; i < 3; i++) p.access(n.recent!);
      p.access(n.hot!); // count 0 -> 1, against recent's 3
      expect(drain(p, e)).to.deep.equal(['hot', 'recent']);
    });
  }
});

describe('SievePolicy', () => {
  it('keeps visited entries for one pass of the hand', () => {
    const e = new TestEntries();
    const p = new SievePolicy();
    const n = load(p, e, ['a', 'b', 'c', 'd']);
    p.access(n.a!);
    p.update(n.b!);
    // The hand clears a and b, evicts c, continues to d, then wraps to the now unvisited a and b.
    expect(drain(p, e)).to.deep.equal(['c', 'd', 'a', 'b']);
  });

  it('keeps the hand where it stopped instead of restarting at the tail', () => {
    const e = new TestEntries();
    const p = new SievePolicy();
    const n = load(p, e, ['a', 'b', 'c']);
    p.access(n.a!);
    expect(e.drop(p.evict())).to.equal('b'); // a survives, the hand now points at c
    p.access(n.a!);
    load(p, e, ['d']); // reuses b's id
    expect(e.drop(p.evict())).to.equal('c');
    expect(e.drop(p.evict())).to.equal('d');
    expect(e.drop(p.evict())).to.equal('a'); // its bit was cleared by the wrap
  });

  it('moves the hand off an entry that is removed under it', () => {
    const e = new TestEntries();
    const p = new SievePolicy();
    const n = load(p, e, ['a', 'b', 'c']);
    p.access(n.a!);
    expect(e.drop(p.evict())).to.equal('b'); // the hand now points at c
    p.remove(n.c!);
    e.drop(n.c!);
    expect(drain(p, e)).to.deep.equal(['a']);
  });
});

describe('S3FifoPolicy', () => {
  const s3fifo =
    (capacityBytes: number): EvictionPolicyFactory =>
    (e) =>
      new S3FifoPolicy(e, capacityBytes);

  it('keeps a re-accessed item while a one-time scan passes through', () => {
    const h = new PolicyHarness(s3fifo(10), 10);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(true);
    expect(h.evicted).to.have.length(91);
    expect(h.evicted.every((k) => k.startsWith('scan'))).to.equal(true);
  });

  it('lets LRU lose the same item to the same scan (control)', () => {
    const h = new PolicyHarness(() => new LruPolicy(), 10);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(false);
  });

  it('readmits a ghost hit straight into main', () => {
    const h = new PolicyHarness(s3fifo(10), 10);
    h.put('g');
    for (let i = 0; i < 10; i++) h.put(`fill${i}`);
    expect(h.evicted).to.deep.equal(['g']); // unhit: out of small, into the ghost
    h.put('g');
    // A one-time scan evicts from small only: g, now in main, survives it without any hit.
    for (let i = 0; i < 50; i++) h.put(`scan${i}`);
    expect(h.has('g')).to.equal(true);
    // A key that was never a ghost gets no such treatment.
    h.put('newcomer');
    for (let i = 50; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('newcomer')).to.equal(false);
  });

  it('works unbounded (capacityBytes 0) using the resident bytes as the budget', () => {
    const h = new PolicyHarness(s3fifo(0), 10, 0);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(true);
  });

  it('splits small and main by the size an overwrite left, not the size at insert', () => {
    const h = new PolicyHarness(s3fifo(100), 100);
    for (let i = 0; i < 9; i++) {
      h.put(`m${i}`, 10);
      h.get(`m${i}`);
    }
    h.put('f', 10);
    h.put('s', 1); // over budget: the hit m* move to main, f leaves
    h.put('t', 1);
    expect(h.evicted).to.deep.equal(['f']);
    // small = {s, t}: 2 bytes charged. s grows to 9 in place: small now holds 10 of 100 bytes.
    h.overwrite('s', 9);
    expect((h.policy as S3FifoPolicy).chargedBytes).to.equal(100);
    h.put('u', 5);
    // small (15 bytes) is at its 10% share, so the victim comes from small: s (used) moves
    // to main, t goes. Had s still been charged 1 byte, small (7) would be under its share
    // and main's oldest (m0) would have gone instead.
    expect(h.evicted).to.deep.equal(['f', 't', 'm0']);
    expect(h.has('s')).to.equal(true);
    expect((h.policy as S3FifoPolicy).chargedBytes).to.equal(h.bytes);
  });
});
