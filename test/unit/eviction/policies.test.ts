import { expect } from 'chai';
import { FifoPolicy } from '../../../src/adapters/eviction/fifo-policy.js';
import { HybridPolicy } from '../../../src/adapters/eviction/hybrid-policy.js';
import { LfuPolicy } from '../../../src/adapters/eviction/lfu-policy.js';
import { LruPolicy } from '../../../src/adapters/eviction/lru-policy.js';
import { S3FifoPolicy } from '../../../src/adapters/eviction/s3-fifo-policy.js';
import { SievePolicy } from '../../../src/adapters/eviction/sieve-policy.js';
import type { EvictionNode, EvictionPolicy } from '../../../src/domain/ports/eviction-policy.js';
import { drain, node, PolicyHarness } from './harness.js';

function load(p: EvictionPolicy, keys: string[]): Record<string, EvictionNode> {
  const out: Record<string, EvictionNode> = {};
  for (const k of keys) {
    out[k] = node(k);
    p.insert(out[k]!);
  }
  return out;
}

describe('LruPolicy', () => {
  it('evicts the least recently used first', () => {
    const p = new LruPolicy();
    const n = load(p, ['a', 'b', 'c']);
    p.access(n.a!);
    expect(drain(p)).to.deep.equal(['b', 'c', 'a']);
  });
});

describe('FifoPolicy', () => {
  it('evicts in insertion order whatever the hits', () => {
    const p = new FifoPolicy();
    const n = load(p, ['a', 'b', 'c']);
    p.access(n.a!);
    p.access(n.a!);
    p.access(n.b!);
    expect(drain(p)).to.deep.equal(['a', 'b', 'c']);
  });
});

describe('LfuPolicy', () => {
  it('evicts the least frequently used, ties by recency', () => {
    const p = new LfuPolicy();
    const n = load(p, ['a', 'b', 'c', 'd']);
    for (let i = 0; i < 3; i++) p.access(n.a!);
    p.access(n.c!);
    expect(drain(p)).to.deep.equal(['b', 'd', 'c', 'a']);
  });

  it('ages counts so a formerly hot key can leave', () => {
    const p = new LfuPolicy();
    const n = load(p, ['hot', 'recent']);
    for (let i = 0; i < 100; i++) p.access(n.hot!);
    // Twelve epochs (of 1024 operations at this size) of unrelated churn.
    for (let i = 0; i < 12 * 1024; i++) {
      const t = node(`t${i}`);
      p.insert(t);
      p.remove(t);
    }
    for (let i = 0; i < 3; i++) p.access(n.recent!);
    expect(p.evict()?.key).to.equal('hot');
  });

  it('without enough churn the hot key still wins', () => {
    const p = new LfuPolicy();
    const n = load(p, ['hot', 'recent']);
    for (let i = 0; i < 100; i++) p.access(n.hot!);
    for (let i = 0; i < 3; i++) p.access(n.recent!);
    expect(p.evict()?.key).to.equal('recent');
  });
});

describe('HybridPolicy', () => {
  it('evicts the least frequently used among the least recent', () => {
    const p = new HybridPolicy();
    const n = load(p, ['a']);
    for (let i = 0; i < 3; i++) p.access(n.a!);
    load(p, ['b', 'c', 'd']);
    // 'a' is the LRU entry, but it was hit: 'b' goes first, as the least recent of the count-1 entries.
    expect(drain(p)).to.deep.equal(['b', 'c', 'd', 'a']);
  });

  it('only protects frequency within the sample of least recent entries', () => {
    const p = new HybridPolicy(2);
    const n = load(p, ['a', 'b', 'c']);
    p.access(n.a!);
    p.access(n.b!);
    p.access(n.b!);
    // LRU order (oldest first): c, a, b. Sample of 2 = {c, a}: c has the lower count.
    expect(p.evict()?.key).to.equal('c');
    // Sample {a, b}: a (2 hits) < b (3 hits).
    expect(p.evict()?.key).to.equal('a');
  });
});

describe('SievePolicy', () => {
  it('keeps visited entries for one pass of the hand', () => {
    const p = new SievePolicy();
    const n = load(p, ['a', 'b', 'c', 'd']);
    p.access(n.a!);
    p.access(n.b!);
    // The hand clears a and b, evicts c, continues to d, then wraps to the now unvisited a and b.
    expect(drain(p)).to.deep.equal(['c', 'd', 'a', 'b']);
  });

  it('keeps the hand where it stopped instead of restarting at the tail', () => {
    const p = new SievePolicy();
    const n = load(p, ['a', 'b', 'c']);
    p.access(n.a!);
    expect(p.evict()?.key).to.equal('b'); // a survives, the hand now points at c
    p.access(n.a!);
    p.insert(node('d'));
    expect(p.evict()?.key).to.equal('c');
    expect(p.evict()?.key).to.equal('d');
    expect(p.evict()?.key).to.equal('a'); // its bit was cleared by the wrap
  });
});

describe('S3FifoPolicy', () => {
  it('keeps a re-accessed item while a one-time scan passes through', () => {
    const h = new PolicyHarness(new S3FifoPolicy(10), 10);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(true);
    expect(h.evicted).to.have.length(91);
    expect(h.evicted.every((k) => k.startsWith('scan'))).to.equal(true);
  });

  it('lets LRU lose the same item to the same scan (control)', () => {
    const h = new PolicyHarness(new LruPolicy(), 10);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(false);
  });

  it('readmits a ghost hit straight into main', () => {
    const h = new PolicyHarness(new S3FifoPolicy(10), 10);
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
    const h = new PolicyHarness(new S3FifoPolicy(0), 10);
    h.put('hot');
    h.get('hot');
    for (let i = 0; i < 100; i++) h.put(`scan${i}`);
    expect(h.has('hot')).to.equal(true);
  });
});
