import { expect } from 'chai';
import { KeyArena } from '../../../src/adapters/level/key-arena.js';
import { NONE, WriteOrderIndex } from '../../../src/adapters/level/write-order-index.js';
import { seededRandom } from '../../support/seeded-random.js';

/** Keys of varied lengths, including bytes 0x80-0xff and keys shorter than a free-list link. */
function keyFor(n: number): string {
  const len = 1 + (n % 40);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode((n * 31 + i * 7) % 256);
  return `${s}${n}`;
}

/** Write order of `index`, oldest first, as keys; checks the back links on the way. */
function order(index: WriteOrderIndex): string[] {
  const out: string[] = [];
  let prev = NONE;
  for (let id = index.head; id !== NONE; id = index.newer(id)) {
    expect(index.older(id)).to.equal(prev);
    out.push(index.keyOf(id));
    prev = id;
  }
  expect(index.tail).to.equal(prev);
  return out;
}

describe('WriteOrderIndex', () => {
  it('matches a Map model under random puts, overwrites and removes (model check)', () => {
    const next = seededRandom(12);
    const index = new WriteOrderIndex();
    // Insertion order of a Map = write order when overwrites delete first.
    const model = new Map<string, { size: number; exptime: number }>();
    for (let step = 0; step < 60_000; step++) {
      const key = keyFor(Math.floor(next() * 3000));
      const r = next();
      if (r < 0.6) {
        const v = { size: 1 + Math.floor(next() * 5000), exptime: Math.floor(next() * 4e9) * 1000 };
        index.put(key, v.size, v.exptime);
        model.delete(key);
        model.set(key, v);
      } else if (r < 0.9) {
        const id = index.find(key);
        expect(id !== NONE, `find(${JSON.stringify(key)})`).to.equal(model.has(key));
        if (id !== NONE) {
          index.remove(id);
          model.delete(key);
        }
      } else {
        const id = index.find(key);
        const m = model.get(key);
        if (m === undefined) expect(id).to.equal(NONE);
        else {
          expect(index.keyOf(id)).to.equal(key);
          expect(index.sizeOf(id)).to.equal(m.size);
          expect(index.exptimeOf(id)).to.equal(m.exptime);
        }
      }
      if (step % 10_000 === 0) expect(order(index)).to.deep.equal([...model.keys()]);
    }
    expect(index.count).to.equal(model.size);
    expect(order(index)).to.deep.equal([...model.keys()]);
    let live = 0;
    for (let id = 0; id < index.idLimit; id++) if (index.isLive(id)) live++;
    expect(live).to.equal(model.size);
  });

  it('while ordering, puts carry ranks and endOrdering relinks by rank (stable, both 16-bit digits)', () => {
    const index = new WriteOrderIndex();
    index.beginOrdering();
    const rankOf = (i: number): number => (((i * 37) % 100) * 0x1_0001 + (i % 3 === 0 ? 0x10000 : 0)) >>> 0;
    for (let i = 0; i < 100; i++) index.put(`k${i}`, 10, 0, rankOf(i));
    // Ties keep the order they were put in.
    index.put('tie-a', 10, 0, rankOf(5));
    index.put('tie-b', 10, 0, rankOf(5));
    index.endOrdering();
    const keys = order(index);
    const ranks = keys.map((k) => (k.startsWith('tie') ? rankOf(5) : rankOf(Number(k.slice(1)))));
    expect(ranks).to.deep.equal([...ranks].sort((a, b) => a - b));
    expect(keys.indexOf('tie-a')).to.equal(keys.indexOf('k5') + 1);
    expect(keys.indexOf('tie-b')).to.equal(keys.indexOf('k5') + 2);
    expect(keys.length).to.equal(102);
  });

  it('while ordering, a removed or buried key stays known as a tombstone until endOrdering', () => {
    const index = new WriteOrderIndex();
    index.put('a', 10, 0);
    index.beginOrdering();
    index.remove(index.find('a'));
    index.bury('b');
    expect([index.find('a'), index.find('b')]).to.deep.equal([NONE, NONE]);
    expect([index.known('a'), index.known('b'), index.known('c')]).to.deep.equal([true, true, false]);
    expect(index.count).to.equal(0);
    // A put revives a tombstone as a new entry.
    index.put('b', 20, 0, 1);
    expect(index.count).to.equal(1);
    expect(index.replacedSize).to.equal(0);
    index.endOrdering();
    expect([index.known('a'), index.known('b')]).to.deep.equal([false, true]);
    expect(order(index)).to.deep.equal(['b']);
    let live = 0;
    for (let id = 0; id < index.idLimit; id++) if (index.isLive(id)) live++;
    expect(live).to.equal(1);
  });

  for (const seed of [1, 2, 3]) {
    it(`the end step in slices matches a reference write order under puts, rewrites and removes between slices (model check, seed ${seed})`, () => {
      const next = seededRandom(seed);
      const index = new WriteOrderIndex();
      // Reference: the live keys and the rank of their last write; write order = ascending rank (ranks are unique).
      const model = new Map<string, number>();
      const N = 6000;
      const diskKey = (i: number): string => `d${i}`;
      // Ranks of the records on disk: unique, in no relation to key order (odd multiplier mod 2^31 is a bijection).
      const diskRank = (i: number): number => Number((BigInt(i) * 2654435761n) % 2n ** 31n);
      for (let i = 0; i < N; i++) model.set(diskKey(i), diskRank(i));
      let clientRank = 2 ** 31;
      const anyKey = (): string => (next() < 0.8 ? diskKey(Math.floor(next() * N)) : `c${Math.floor(next() * 2000)}`);
      const clientOp = (): void => {
        const key = anyKey();
        if (next() < 0.6) {
          clientRank += 1 + Math.floor(next() * 300);
          index.put(key, 10, 0, clientRank);
          model.set(key, clientRank);
        } else {
          const id = index.find(key);
          if (id !== NONE) index.remove(id);
          // Not indexed yet but on disk (the scan has not reached it): a tombstone keeps the scan off it.
          else if (model.has(key)) index.bury(key);
          model.delete(key);
        }
      };
      index.beginOrdering();
      // The scan: key order, skipping keys clients wrote or deleted since it began.
      for (let i = 0; i < N; i++) {
        const key = diskKey(i);
        if (!index.known(key)) index.put(key, 10, 0, diskRank(i));
        if (next() < 0.2) clientOp();
      }
      index.beginSort();
      let steps = 0;
      while (!index.sortStep(1 + Math.floor(next() * 1000))) {
        steps++;
        expect(index.ordering).to.equal(true);
        const ops = Math.floor(next() * 40);
        for (let j = 0; j < ops; j++) clientOp();
        // Between slices: a well-formed list of exactly the live keys, each found.
        expect(index.count).to.equal(model.size);
        if (steps % 10 === 0) {
          expect(order(index).sort().join('|')).to.equal([...model.keys()].sort().join('|'));
          for (const key of model.keys()) if (index.find(key) === NONE) expect.fail(`${key} not found`);
        }
      }
      expect(steps, 'the end step took several slices').to.be.above(20);
      expect(index.ordering).to.equal(false);
      const expected = [...model.entries()].sort((a, b) => a[1] - b[1]).map((e) => e[0]);
      expect(order(index)).to.deep.equal(expected);
      let live = 0;
      for (let id = 0; id < index.idLimit; id++) if (index.isLive(id)) live++;
      expect(live).to.equal(model.size);
      // Tombstones are gone: a deleted disk key is unknown now.
      for (let i = 0; i < N; i++) if (!model.has(diskKey(i))) expect(index.known(diskKey(i))).to.equal(false);
      // After the step, puts append in write order again.
      index.put('after', 10, 0);
      expect(order(index).at(-1)).to.equal('after');
    });
  }

  it('the end step survives removing and rewriting the last entry it has relinked', () => {
    const index = new WriteOrderIndex();
    index.beginOrdering();
    // Put in the reverse of write order: k99 has the lowest rank.
    for (let i = 0; i < 100; i++) index.put(`k${i}`, 10, 0, 99 - i);
    index.beginSort();
    // Slices of one entry: the relink starts with the oldest, k99, at the head.
    while (order(index)[0] !== 'k99') expect(index.sortStep(1)).to.equal(false);
    for (let i = 0; i < 9; i++) index.sortStep(1);
    expect(order(index).slice(0, 11)).to.deep.equal(['k99', 'k98', 'k97', 'k96', 'k95', 'k94', 'k93', 'k92', 'k91', 'k90', 'k0']);
    index.remove(index.find('k90'));
    index.put('k91', 10, 0, 200);
    while (!index.sortStep(1));
    const expected = [];
    for (let i = 99; i >= 0; i--) if (i !== 90 && i !== 91) expected.push(`k${i}`);
    expect(order(index)).to.deep.equal([...expected, 'k91']);
  });

  it('a clear during the end step cancels it; what is put afterwards stays, in write order', () => {
    const index = new WriteOrderIndex();
    index.beginOrdering();
    for (let i = 0; i < 5000; i++) index.put(`k${i}`, 10, 0, (i * 7919) % 5000);
    index.beginSort();
    expect(index.sortStep(3000)).to.equal(false);
    index.put('early', 10, 0, 6000);
    expect(index.sortStep(12_000)).to.equal(false);
    index.clear();
    index.put('x', 10, 0, 7000);
    index.put('y', 10, 0, 7001);
    while (!index.sortStep(100));
    index.put('z', 10, 0);
    expect(order(index)).to.deep.equal(['x', 'y', 'z']);
    expect(index.count).to.equal(3);
    expect(index.find('k1')).to.equal(NONE);
  });

  it('holds 250,000 keys of 16 bytes in under 60 bytes each', () => {
    const index = new WriteOrderIndex();
    for (let i = 0; i < 250_000; i++) index.put(`key:${String(i).padStart(12, '0')}`, 150, 0);
    const perKey = index.footprint() / index.count;
    console.log(`      ${perKey.toFixed(1)} bytes per key (16-byte keys)`);
    expect(perKey).to.be.below(60);
  });
});

describe('KeyArena', () => {
  it('reuses a freed slot for the next key of the same length', () => {
    const arena = new KeyArena();
    const a = arena.store('abc');
    const b = arena.store('defgh');
    arena.release(a, 3);
    const c = arena.store('xyz');
    expect(c).to.equal(a);
    expect(arena.read(c, 3)).to.equal('xyz');
    expect(arena.read(b, 5)).to.equal('defgh');
    expect(arena.equals(b, 'defgh')).to.equal(true);
    expect(arena.equals(b, 'defgi')).to.equal(false);
  });
});
