import { expect } from 'chai';
import { evictionPolicies } from '../../../src/adapters/eviction/policy-registry.js';
import { S3FifoPolicy } from '../../../src/adapters/eviction/s3-fifo-policy.js';
import { MemoryCacheStore } from '../../../src/adapters/memory/memory-cache-store.js';
import { PAGE_SIZE } from '../../../src/adapters/memory/slab-arena.js';
import { makeItem } from '../../../src/domain/item.js';
import { ManualClock } from '../../support/manual-clock.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Bytes that name their key and version, so a value served for the wrong key or a stale one is caught. */
function valueOf(key: string, version: number, length: number): Buffer {
  const seed = Buffer.from(`${key}#${version}|`, 'latin1');
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = seed[i % seed.length]!;
  return b;
}

function store(maxMemory: number, policy = 's3fifo', clock = new ManualClock()): MemoryCacheStore {
  return new MemoryCacheStore({ maxMemory, maxEntries: 0, cleanupIntervalMs: 0 }, clock, evictionPolicies[policy]!);
}

describe('MemoryCacheStore (slab pages + entry table)', () => {
  for (const policy of Object.keys(evictionPolicies)) {
    it(`${policy}: 3x the budget of mixed sizes keeps real usage within the budget and every hit exact`, () => {
      const maxMemory = 2 * 1024 * 1024;
      const s = store(maxMemory, policy);
      const rand = lcg(7);
      const latest = new Map<string, number>();
      const lengths = new Map<string, number>();
      let written = 0;
      for (let i = 0; written < 3 * maxMemory; i++) {
        const key = `k${Math.floor(rand() * rand() * 20_000)}`;
        const r = rand();
        // Mostly small values, some around a KiB, a few with their own Buffer (> 8 KiB).
        const length = r < 0.8 ? Math.floor(rand() * 200) : r < 0.97 ? 500 + Math.floor(rand() * 2000) : 9000 + Math.floor(rand() * 20_000);
        expect(s.set(makeItem(key, valueOf(key, i, length), i, 0, i))).to.equal(true);
        latest.set(key, i);
        lengths.set(key, length);
        written += key.length + length;
        expect(s.usedBytes, `used after set ${i}`).to.be.at.most(maxMemory);
        expect(s.stats().bytes).to.be.at.most(s.usedBytes);
        if (i % 3 === 0) {
          const probe = `k${Math.floor(rand() * rand() * 20_000)}`;
          const got = s.get(probe);
          if (got !== undefined) {
            expect(got.value.equals(valueOf(probe, latest.get(probe)!, lengths.get(probe)!)), `value of ${probe}`).to.equal(true);
            expect(got.flags).to.equal(latest.get(probe));
          }
        }
      }
      const st = s.stats();
      expect(st.evictions).to.be.greaterThan(0);
      let resident = 0;
      for (const [key, version] of latest) {
        const got = s.peek(key);
        if (got === undefined) continue;
        resident++;
        expect(got.value.equals(valueOf(key, version, lengths.get(key)!))).to.equal(true);
        expect(got.cas).to.equal(version);
      }
      expect(resident).to.equal(st.items);
    });
  }

  it('does not calcify: after the workload moves to larger values, those get the memory', () => {
    const maxMemory = 4 * 1024 * 1024;
    const s = store(maxMemory, 'lru');
    for (let i = 0; i < 60_000; i++) s.set(makeItem(`small${i}`, valueOf(`small${i}`, 0, 100), 0, 0, i));
    const smallResident = s.stats().items;
    expect(smallResident).to.be.greaterThan(10_000);
    // Now only ~1 KiB values: they must displace the small ones, not fight over a page or two.
    for (let i = 0; i < 6_000; i++) s.set(makeItem(`big${i}`, valueOf(`big${i}`, 0, 1000), 0, 0, i));
    let bigResident = 0;
    for (let i = 0; i < 6_000; i++) if (s.peek(`big${i}`) !== undefined) bigResident++;
    const perItem = 1000 + 8 + s.entryOverhead;
    expect(bigResident, 'most of the budget serves the new size').to.be.greaterThan((0.8 * maxMemory) / perItem);
    expect(s.usedBytes).to.be.at.most(maxMemory);
  });

  it('overwrites in place when the size class is the same, and moves the value when it is not', () => {
    const s = store(0, 'lru');
    s.set(makeItem('a', Buffer.alloc(100, 1), 0, 0, 1));
    const before = s.usedBytes;
    s.set(makeItem('a', Buffer.alloc(98, 2), 5, 0, 2));
    expect(s.usedBytes).to.equal(before);
    expect(s.get('a')!.value.equals(Buffer.alloc(98, 2))).to.equal(true);
    s.set(makeItem('a', Buffer.alloc(3000, 3), 6, 0, 3));
    const got = s.get('a')!;
    expect(got.value.equals(Buffer.alloc(3000, 3))).to.equal(true);
    expect([got.flags, got.cas]).to.deep.equal([6, 3]);
    expect(s.stats()).to.include({ items: 1, bytes: 1 + 3000 + s.entryOverhead });
  });

  it('never rewrites a value with a Buffer of its own: one already handed out stays intact', () => {
    const s = store(0, 'lru');
    s.set(makeItem('big', Buffer.alloc(20_000, 7), 0, 0, 1));
    const first = s.get('big')!.value;
    s.set(makeItem('big', Buffer.alloc(20_000, 8), 0, 0, 2));
    expect(first.equals(Buffer.alloc(20_000, 7))).to.equal(true);
    expect(s.get('big')!.value.equals(Buffer.alloc(20_000, 8))).to.equal(true);
  });

  it('cache_memlimit shrink releases pages down to the new budget', () => {
    const s = store(8 * 1024 * 1024, 'lru');
    for (let i = 0; i < 40_000; i++) s.set(makeItem(`key${i}`, valueOf(`key${i}`, 0, 150), 0, 0, i));
    expect(s.usedBytes).to.be.greaterThan(6 * 1024 * 1024);
    s.resize(2 * 1024 * 1024);
    expect(s.usedBytes).to.be.at.most(2 * 1024 * 1024);
    for (let i = 0; i < 40_000; i++) {
      const got = s.peek(`key${i}`);
      if (got !== undefined) expect(got.value.equals(valueOf(`key${i}`, 0, 150))).to.equal(true);
    }
  });

  it('reuses ids and chunks: a steady churn of sets and deletes does not grow memory', () => {
    const s = store(0, 's3fifo');
    const afterRound: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5_000; i++) s.set(makeItem(`r${round}:${i}`, Buffer.alloc(100), 0, 0, i));
      for (let i = 0; i < 5_000; i++) expect(s.delete(`r${round}:${i}`)).to.equal(true);
      afterRound.push(s.usedBytes);
    }
    expect(s.stats()).to.include({ items: 0, bytes: 0 });
    // Only the pages remain, and later rounds fit in the chunks the first one carved.
    expect(new Set(afterRound).size).to.equal(1);
    expect(afterRound[0]! % PAGE_SIZE).to.equal(0);
  });

  it('the sweep removes expired entries in slices', () => {
    const clock = new ManualClock();
    const s = store(0, 'lru', clock);
    for (let i = 0; i < 1000; i++) s.set(makeItem(`t${i}`, Buffer.alloc(10), 0, i % 2 === 0 ? clock.now() + 1000 : 0, i));
    clock.advance(2000);
    let removed = 0;
    for (let slice = 0; slice < 3; slice++) removed += s.sweep(400);
    expect(removed).to.equal(500);
    expect(s.stats()).to.include({ items: 500, expired: 500 });
  });

  it('with a budget below one page, still stores (taking one page) instead of failing', () => {
    const s = store(PAGE_SIZE / 2, 'lru');
    expect(s.set(makeItem('a', Buffer.alloc(100), 0, 0, 1))).to.equal(true);
    expect(s.get('a')).to.not.equal(undefined);
  });

  it('reuses the chunks and own buffers of expired entries before taking new memory (unbounded budget)', () => {
    const clock = new ManualClock();
    const s = store(0, 's3fifo', clock);
    const now = clock.now();
    // Fill exactly the pages one class needs, plus own buffers, all expiring.
    for (let i = 0; i < 2000; i++) s.set(makeItem(`small${i}`, valueOf(`small${i}`, 0, 100), 0, now + 1000, i));
    for (let i = 0; i < 10; i++) s.set(makeItem(`early${i}`, valueOf(`early${i}`, 0, 65 * 1024), 0, now + 1000, i));
    const before = s.layout();
    clock.advance(2000);
    for (let i = 0; i < 2000; i++) s.set(makeItem(`fresh${i}`, valueOf(`fresh${i}`, 0, 100), 0, 0, i));
    for (let i = 0; i < 10; i++) s.set(makeItem(`later${i}`, valueOf(`later${i}`, 0, 65 * 1024), 0, 0, i));
    const after = s.layout();
    expect(after.mallocedBytes).to.equal(before.mallocedBytes);
    expect(after.classes.map((c) => [c.id, c.pages])).to.deep.equal(before.classes.map((c) => [c.id, c.pages]));
    expect(s.stats().items).to.equal(2010);
    expect(s.stats().expired).to.equal(2010);
    expect(s.get('small5')).to.equal(undefined);
    expect(s.get('fresh5')!.value.equals(valueOf('fresh5', 0, 100))).to.equal(true);
  });

  it('layout(): per-class items and bytes add up to stats(), and evictions and expirations are counted per class', () => {
    const clock = new ManualClock();
    const s = store(4 * 1024 * 1024, 'lru', clock);
    const rand = lcg(11);
    for (let i = 0; i < 20_000; i++) {
      const length = rand() < 0.95 ? Math.floor(rand() * 300) : 9000 + Math.floor(rand() * 9000);
      s.set(makeItem(`k${i % 5000}`, valueOf(`k${i}`, i, length), 0, rand() < 0.3 ? clock.now() + 100 : 0, i));
      if (i % 100 === 99) clock.advance(50);
    }
    s.sweep(1_000_000);
    const st = s.stats();
    const l = s.layout();
    const sum = (f: (c: (typeof l.classes)[number]) => number): number => l.classes.reduce((a, c) => a + f(c), 0);
    expect(sum((c) => c.items)).to.equal(st.items);
    expect(sum((c) => c.requestedBytes)).to.equal(st.bytes);
    // Classes whose pages all moved elsewhere are not listed, with their counters (as in memcached).
    expect(sum((c) => c.evicted)).to.be.within(1, st.evictions);
    expect(sum((c) => c.reclaimed)).to.be.within(1, st.expired);
    expect(st.expired).to.be.greaterThan(0);
    expect(st.evictions).to.be.greaterThan(0);
    expect(l.mallocedBytes).to.be.at.most(4 * 1024 * 1024);
    for (const c of l.classes.slice(0, -1)) expect(c.totalChunks - c.freeChunks - c.freeChunksEnd).to.equal(c.usedChunks);
  });

  it('rewrites a same-class value in place and keeps the policy charged with the new size (s3fifo bytes = the store’s)', () => {
    let policy: S3FifoPolicy | undefined;
    const s = new MemoryCacheStore({ maxMemory: 0, maxEntries: 0, cleanupIntervalMs: 0 }, new ManualClock(), (entries, capacity) => {
      policy = new S3FifoPolicy(entries, capacity);
      return policy;
    });
    s.set(makeItem('a', Buffer.alloc(20, 1), 0, 0, 1));
    s.set(makeItem('a', Buffer.alloc(20, 2), 0, 0, 2));
    expect(policy!.chargedBytes).to.equal(s.stats().bytes);
    // 22 bytes fall in the same 32-byte chunk class: rewritten in place with another size.
    s.set(makeItem('a', Buffer.alloc(22, 3), 0, 0, 3));
    expect(policy!.chargedBytes).to.equal(s.stats().bytes);
    expect(s.get('a')!.value).to.deep.equal(Buffer.alloc(22, 3));
    expect(s.stats().items).to.equal(1);
  });
});
