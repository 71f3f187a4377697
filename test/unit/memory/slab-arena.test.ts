import { expect } from 'chai';
import { MAX_CHUNK, PAGE_SIZE, SLAB_PAYLOAD_MAX, SlabArena } from '../../../src/adapters/memory/slab-arena.js';

/** Deterministic PRNG so each run replays the same operations. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A value whose bytes name its owner, so a misplaced chunk is caught. */
function valueFor(id: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (id * 31 + i) & 0xff;
  return b;
}

/** The arena plus a model of where every live value is and what it holds. */
class Model {
  readonly where = new Map<number, number>();
  readonly lengths = new Map<number, number>();
  readonly arena = new SlabArena((id, addr) => {
    expect(this.where.has(id), `moved id ${id} is live`).to.equal(true);
    this.where.set(id, addr);
  });
  private nextId = 0;

  /** Allocates (adding pages as needed) and writes a value; returns its id. */
  put(length: number): number {
    const id = this.nextId++;
    const cls = this.arena.classOf(length);
    let addr = this.arena.allocate(cls, id);
    if (addr < 0) {
      this.arena.addPage(cls);
      addr = this.arena.allocate(cls, id);
    }
    valueFor(id, length).copy(this.arena.page(addr), this.arena.payloadOffset(addr));
    this.where.set(id, addr);
    this.lengths.set(id, length);
    return id;
  }

  remove(id: number): void {
    this.arena.free(this.where.get(id)!);
    this.where.delete(id);
    this.lengths.delete(id);
  }

  view(addr: number, length: number): Buffer {
    const off = this.arena.payloadOffset(addr);
    return this.arena.page(addr).subarray(off, off + length);
  }

  check(): void {
    for (const [id, addr] of this.where) {
      const len = this.lengths.get(id)!;
      expect(this.view(addr, len).equals(valueFor(id, len)), `value of id ${id}`).to.equal(true);
    }
  }
}

/** The smallest chunk (16 bytes) holding an empty payload. */
const MIN_WASTE = 13;

describe('SlabArena', () => {
  it('maps value lengths to the smallest chunk that holds value + header', () => {
    const a = new SlabArena(() => {});
    expect(a.chunkSize(a.classOf(0))).to.equal(16);
    expect(a.chunkSize(a.classOf(12))).to.equal(16);
    expect(a.chunkSize(a.classOf(13))).to.equal(24);
    // The benchmark item (2-byte key length + 16-byte key + 100-byte value) wastes 6 bytes.
    expect(a.chunkSize(a.classOf(118))).to.equal(128);
    expect(a.chunkSize(a.classOf(SLAB_PAYLOAD_MAX))).to.equal(MAX_CHUNK);
    expect(a.classOf(SLAB_PAYLOAD_MAX + 1)).to.equal(-1);
    for (let n = 0; n <= SLAB_PAYLOAD_MAX; n += 7) {
      const size = a.chunkSize(a.classOf(n));
      expect(size).to.be.at.least(n + 4);
      expect(size % 8).to.equal(0);
      // Classes grow by ~1.08: a payload never wastes more than ~8% of its chunk plus alignment.
      expect(size - (n + 4)).to.be.below(Math.max(MIN_WASTE, size * 0.08 + 8));
    }
  });

  it('allocates until the page is carved, then asks for a page; free chunks are reused', () => {
    const m = new Model();
    const perPage = Math.floor(PAGE_SIZE / m.arena.chunkSize(m.arena.classOf(100)));
    const ids: number[] = [];
    for (let i = 0; i < perPage * 3; i++) ids.push(m.put(100));
    expect(m.arena.pageBytes).to.equal(3 * PAGE_SIZE);
    m.check();
    for (const id of ids.slice(0, 10)) m.remove(id);
    for (let i = 0; i < 10; i++) m.put(100);
    expect(m.arena.pageBytes, 'freed chunks were reused before a new page').to.equal(3 * PAGE_SIZE);
    m.check();
  });

  it('moves a mostly empty page to another class, keeping every live value intact', () => {
    const m = new Model();
    const small = m.arena.classOf(100);
    const big = m.arena.classOf(1000);
    const perPage = Math.floor(PAGE_SIZE / m.arena.chunkSize(m.arena.classOf(100)));
    const ids: number[] = [];
    for (let i = 0; i < perPage * 4; i++) ids.push(m.put(100));
    // Free every other chunk: two pages worth of spare chunks, spread over all four pages.
    for (let i = 0; i < ids.length; i += 2) m.remove(ids[i]!);
    expect(m.arena.donor(big)).to.equal(small);
    m.arena.movePage(small, big);
    expect(m.arena.pageBytes, 'no new memory').to.equal(4 * PAGE_SIZE);
    m.check();
    // The big class got a page without allocating one.
    const before = m.arena.pageBytes;
    const id = m.put(1000);
    expect(m.arena.pageBytes).to.equal(before);
    expect(m.view(m.where.get(id)!, 1000).equals(valueFor(id, 1000))).to.equal(true);
  });

  it('releases an emptied page and reports no donor when no class has a page worth of spare chunks', () => {
    const m = new Model();
    const cls = m.arena.classOf(200);
    const perPage = Math.floor(PAGE_SIZE / m.arena.chunkSize(cls));
    const ids: number[] = [];
    for (let i = 0; i < perPage * 2; i++) ids.push(m.put(200));
    expect(m.arena.donor(-1)).to.equal(-1);
    for (let i = 0; i < perPage; i++) m.remove(ids[i * 2]!);
    expect(m.arena.canDonate(cls)).to.equal(true);
    m.arena.releasePage(m.arena.donor(-1));
    expect(m.arena.pageBytes).to.equal(PAGE_SIZE);
    m.check();
    // The released page slot is reused by the next page.
    for (let i = 0; i < perPage; i++) m.put(200);
    expect(m.arena.pageBytes).to.equal(2 * PAGE_SIZE);
    m.check();
  });

  it('survives a random mix of allocations, frees, page moves and releases (model check)', () => {
    const m = new Model();
    const rand = lcg(42);
    const sizes = [0, 5, 60, 100, 300, 1500, 5000, SLAB_PAYLOAD_MAX];
    const live: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const r = rand();
      if (r < 0.55 || live.length === 0) {
        live.push(m.put(sizes[Math.floor(rand() * sizes.length)]!));
      } else if (r < 0.97) {
        const i = Math.floor(rand() * live.length);
        m.remove(live[i]!);
        live[i] = live[live.length - 1]!;
        live.pop();
      } else {
        const to = m.arena.classOf(sizes[Math.floor(rand() * sizes.length)]!);
        const donor = m.arena.donor(to);
        if (donor >= 0) {
          if (rand() < 0.5) m.arena.movePage(donor, to);
          else m.arena.releasePage(donor);
        }
      }
      if (step % 2_000 === 0) m.check();
    }
    m.check();
    m.arena.clear();
    expect(m.arena.pageBytes).to.equal(0);
  });
});
