import { expect } from 'chai';
import { GhostQueue } from '../../../src/adapters/eviction/ghost-queue.js';

/** Deterministic PRNG so the randomized walk is reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The obvious implementation (a Map and an array), to compare against. */
class ModelGhost {
  ring: { hash: number; size: number; seq: number }[] = [];
  latest = new Map<number, number>();
  seq = 0;
  bytes = 0;
  push(hash: number, size: number): void {
    this.ring.push({ hash, size, seq: this.seq });
    this.latest.set(hash, this.seq++);
    this.bytes += size;
  }
  take(hash: number): boolean {
    return this.latest.delete(hash);
  }
  trim(maxBytes: number, maxEntries: number): void {
    while (this.ring.length > 0 && (this.bytes > maxBytes || this.ring.length > maxEntries)) {
      const oldest = this.ring.shift()!;
      if (this.latest.get(oldest.hash) === oldest.seq) this.latest.delete(oldest.hash);
      this.bytes -= oldest.size;
    }
  }
}

describe('GhostQueue', () => {
  it('forgets the oldest hashes first, by bytes and by count', () => {
    const g = new GhostQueue();
    for (let h = 1; h <= 5; h++) g.push(h, 10);
    g.trim(30, 100);
    expect([1, 2, 3, 4, 5].map((h) => g.has(h))).to.deep.equal([false, false, true, true, true]);
    g.trim(1000, 1);
    expect([3, 4, 5].map((h) => g.has(h))).to.deep.equal([false, false, true]);
    expect(g.bytes).to.equal(10);
  });

  it('keeps a re-pushed hash until its latest copy falls out', () => {
    const g = new GhostQueue();
    g.push(7, 1);
    g.push(8, 1);
    g.push(7, 1);
    g.trim(1000, 2); // drops the first 7, which is stale
    expect(g.has(7)).to.equal(true);
    expect(g.take(7)).to.equal(true);
    expect(g.take(7)).to.equal(false);
    expect(g.has(8)).to.equal(true);
  });

  it('agrees with a Map-based model through growth, collisions, takes and trims', () => {
    const g = new GhostQueue();
    const m = new ModelGhost();
    const rand = lcg(99);
    // Hashes from a small range collide often, in the index and as repeats.
    const hash = (): number => (rand() < 0.5 ? Math.floor(rand() * 3000) : Math.floor(rand() * 4294967296)) >>> 0;
    for (let step = 0; step < 60_000; step++) {
      const r = rand();
      const h = hash();
      if (r < 0.55) {
        const size = 1 + Math.floor(rand() * 100);
        g.push(h, size);
        m.push(h, size);
      } else if (r < 0.8) {
        expect(g.take(h), `take ${h} at ${step}`).to.equal(m.take(h));
      } else if (r < 0.95) {
        expect(g.has(h), `has ${h} at ${step}`).to.equal(m.latest.has(h));
      } else {
        const maxBytes = Math.floor(rand() * 200_000);
        const maxEntries = Math.floor(rand() * 5000);
        g.trim(maxBytes, maxEntries);
        m.trim(maxBytes, maxEntries);
        expect(g.length).to.equal(m.ring.length);
        expect(g.bytes).to.equal(m.bytes);
      }
    }
    for (const h of m.latest.keys()) expect(g.has(h)).to.equal(true);
  });

  it('is empty after clear', () => {
    const g = new GhostQueue();
    for (let h = 0; h < 500; h++) g.push(h * 2654435761, 3);
    g.clear();
    expect(g.length).to.equal(0);
    expect(g.bytes).to.equal(0);
    for (let h = 0; h < 500; h++) expect(g.has(h * 2654435761)).to.equal(false);
  });
});
