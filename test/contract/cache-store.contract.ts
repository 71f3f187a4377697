import { expect } from 'chai';
import type { CacheItem } from '../../src/domain/item.js';
import { makeItem } from '../../src/domain/item.js';
import { SHARED_VALUE_LIMIT, type CacheStore } from '../../src/domain/ports/cache-store.js';
import type { WarmableStore } from '../../src/domain/ports/warmable-store.js';
import type { ManualClock } from '../support/manual-clock.js';

/**
 * The optional capabilities of a store, declared by each run (as
 * abstract-level's `supports` manifest): the contract checks what is
 * declared, and checks that what is not declared is really absent.
 */
export interface StoreSupports {
  /** `fits()` is implemented: the store has a byte budget it can answer for. */
  fits: boolean;
  /** The store is a WarmableStore (`warmEntries()`: the newest items, for a warm-up). */
  warmUp: boolean;
  /** Byte budget of the store (0 = unbounded): a larger item is refused and its old value removed. */
  budgetBytes: number;
}

/** What a contract run needs: a started, empty store and the clock it reads. */
export interface CacheStoreFixture {
  store: CacheStore;
  clock: ManualClock;
  /** Stops the store and removes anything it left behind. */
  cleanup: () => Promise<void>;
}

/** Collects an async iterable (keys()) into an array. */
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function expectBytes(actual: Buffer | undefined, expected: Buffer): void {
  expect(actual, 'value').to.not.equal(undefined);
  expect(actual!.length, 'value length').to.equal(expected.length);
  expect(Buffer.compare(actual!, expected), 'value bytes').to.equal(0);
}

/**
 * Behaviour every CacheStore adapter must have. Results are awaited, which
 * works for synchronous values and Promises alike.
 */
export function cacheStoreContract(name: string, supports: StoreSupports, factory: () => Promise<CacheStoreFixture>): void {
  describe(`CacheStore contract: ${name}`, () => {
    let store: CacheStore;
    let clock: ManualClock;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, clock, cleanup } = await factory());
    });

    afterEach(async () => {
      await cleanup();
    });

    const item = (key: string, value: Buffer | string, flags = 0, exptime = 0, cas = 1): CacheItem =>
      makeItem(key, typeof value === 'string' ? Buffer.from(value, 'latin1') : value, flags, exptime, cas);

    it('round-trips value bytes, flags and cas exactly', async () => {
      const value = Buffer.from([0, 1, 2, 0xff, 0x80, 0x7f]);
      expect(await store.set(item('k1', value, 0xffff_ffff, 0, 2 ** 40 + 3))).to.equal(true);
      const got = await store.get('k1');
      expectBytes(got?.value, value);
      expect(got!.key).to.equal('k1');
      expect(got!.flags).to.equal(0xffff_ffff);
      expect(got!.cas).to.equal(2 ** 40 + 3);
      expect(got!.exptime).to.equal(0);
    });

    it('misses a key that was never set', async () => {
      expect(await store.get('nope')).to.equal(undefined);
    });

    it('keeps binary keys (bytes 0x80-0xff as latin1) and binary values with \\r\\n', async () => {
      const key = 'k\x80\xa0\xc3\xa9\xfe\xff';
      const other = 'k\x80\xa0\xc3\xa9\xfe\xfe';
      const value = Buffer.from('line1\r\nEND\r\n\x00\xff\r\n', 'latin1');
      await store.set(item(key, value, 1));
      await store.set(item(other, 'other', 2));
      const got = await store.get(key);
      expectBytes(got?.value, value);
      expect(got!.key).to.equal(key);
      expect(got!.flags).to.equal(1);
      expectBytes((await store.get(other))?.value, Buffer.from('other'));
      expect((await collect(store.keys())).sort()).to.deep.equal([key, other].sort());
    });

    it('overwrites: the last set wins', async () => {
      await store.set(item('k', 'first', 1, 0, 10));
      await store.set(item('k', 'second value', 2, 0, 11));
      const got = await store.get('k');
      expectBytes(got?.value, Buffer.from('second value'));
      expect(got!.flags).to.equal(2);
      expect(got!.cas).to.equal(11);
      expect(store.stats().items).to.equal(1);
    });

    it('delete returns true for a live item and false otherwise', async () => {
      await store.set(item('k', 'v'));
      expect(await store.delete('k')).to.equal(true);
      expect(await store.get('k')).to.equal(undefined);
      expect(await store.delete('k')).to.equal(false);
      expect(await store.delete('never')).to.equal(false);
    });

    it('never returns an expired item', async () => {
      const now = clock.now();
      await store.set(item('soon', 'v', 0, now + 1000));
      await store.set(item('later', 'v', 0, now + 5000));
      clock.advance(999);
      expect(await store.get('soon')).to.not.equal(undefined);
      clock.advance(1);
      expect(await store.get('soon')).to.equal(undefined);
      expect(await store.get('later')).to.not.equal(undefined);
      expect(await store.delete('soon')).to.equal(false);
    });

    it('touch changes the expiry of a live item', async () => {
      const now = clock.now();
      await store.set(item('k', 'v', 7, now + 1000, 5));
      const touched = await store.touch('k', now + 10_000);
      expect(touched?.exptime).to.equal(now + 10_000);
      expectBytes(touched?.value, Buffer.from('v'));
      clock.advance(5000);
      const got = await store.get('k');
      expectBytes(got?.value, Buffer.from('v'));
      expect(got!.flags).to.equal(7);
      expect(got!.exptime).to.equal(now + 10_000);
      await store.touch('k', clock.now() + 1);
      clock.advance(1);
      expect(await store.get('k')).to.equal(undefined);
      expect(await store.touch('missing', now + 1)).to.equal(undefined);
    });

    it('clear removes everything', async () => {
      await store.set(item('a', '1'));
      await store.set(item('b', '2'));
      await store.clear();
      expect(await store.get('a')).to.equal(undefined);
      expect(await store.get('b')).to.equal(undefined);
      expect(store.stats().items).to.equal(0);
      expect(await collect(store.keys())).to.deep.equal([]);
      await store.set(item('c', '3'));
      expectBytes((await store.get('c'))?.value, Buffer.from('3'));
    });

    it('keys() lists live keys only', async () => {
      const now = clock.now();
      await store.set(item('live1', 'v'));
      await store.set(item('live2', 'v', 0, now + 60_000));
      await store.set(item('dying', 'v', 0, now + 100));
      await store.set(item('gone', 'v'));
      await store.delete('gone');
      clock.advance(100);
      expect((await collect(store.keys())).sort()).to.deep.equal(['live1', 'live2']);
    });

    it('stats items and bytes track sets and deletes', async () => {
      const base = store.stats();
      expect(base.items).to.equal(0);
      await store.set(item('a', 'x'.repeat(10)));
      const one = store.stats();
      expect(one.items).to.equal(1);
      expect(one.bytes).to.be.greaterThan(base.bytes);
      await store.set(item('b', 'y'.repeat(10)));
      expect(store.stats().items).to.equal(2);
      await store.set(item('a', Buffer.alloc(500, 1)));
      expect(store.stats().items).to.equal(2);
      expect(store.stats().bytes).to.be.greaterThan(one.bytes * 2 - base.bytes);
      await store.delete('a');
      await store.delete('b');
      expect(store.stats().items).to.equal(0);
      expect(store.stats().bytes).to.equal(base.bytes);
      expect(store.stats().totalItems).to.be.at.least(3);
    });

    it("set copies its input: changing the caller's Buffer afterwards changes nothing stored", async () => {
      const small = Buffer.from('small value');
      const large = Buffer.alloc(SHARED_VALUE_LIMIT + 100, 7);
      await store.set(item('s', small));
      await store.set(item('l', large));
      small.fill(0x21);
      large.fill(0x21);
      expectBytes((await store.get('s'))?.value, Buffer.from('small value'));
      expectBytes((await store.get('l'))?.value, Buffer.alloc(SHARED_VALUE_LIMIT + 100, 7));
    });

    it('a returned value is valid until the next write; from SHARED_VALUE_LIMIT bytes up it stays valid after writes', async () => {
      await store.set(item('a', 'first'));
      await store.set(item('big', Buffer.alloc(SHARED_VALUE_LIMIT, 3)));
      const a = (await store.get('a'))!;
      const again = (await store.get('big'))!;
      // Reads are not writes: both stay valid.
      expectBytes(a.value, Buffer.from('first'));
      const big = again.value;
      expectBytes(big, Buffer.alloc(SHARED_VALUE_LIMIT, 3));
      await store.set(item('big', Buffer.alloc(SHARED_VALUE_LIMIT, 4)));
      await store.delete('big');
      for (let i = 0; i < 50; i++) await store.set(item('fill' + i, Buffer.alloc(SHARED_VALUE_LIMIT, 5)));
      expectBytes(big, Buffer.alloc(SHARED_VALUE_LIMIT, 3));
    });

    it('declares its optional capabilities truthfully (supports manifest)', async () => {
      expect(typeof store.fits === 'function', 'fits() present').to.equal(supports.fits);
      expect(typeof (store as Partial<WarmableStore>).warmEntries === 'function', 'warmEntries() present').to.equal(supports.warmUp);
    });

    // Capability tests exist only for the stores that declare the capability (never skipped at run time).
    if (supports.fits) {
      it('fits(): true for a small item in an empty store, false beyond the budget', async () => {
        expect(store.fits!('k', 10)).to.equal(true);
        if (supports.budgetBytes > 0) expect(store.fits!('k', supports.budgetBytes + 1)).to.equal(false);
      });
    }

    if (supports.budgetBytes > 0) {
      it('an item larger than the whole budget is refused and the old value removed', async () => {
        await store.set(item('k', 'old'));
        expect(await store.set(item('k', Buffer.alloc(supports.budgetBytes + 1)))).to.equal(false);
        expect(await store.get('k')).to.equal(undefined);
      });

      it('within its budget, evicts to make room and keeps the newest items readable', async () => {
        const size = Math.max(1024, Math.floor(supports.budgetBytes / 16));
        const n = Math.ceil((supports.budgetBytes * 3) / size);
        for (let i = 0; i < n; i++) expect(await store.set(item('e' + i, Buffer.alloc(size, i & 0xff)))).to.equal(true);
        const s = store.stats();
        expect(s.evictions).to.be.greaterThan(0);
        expect(s.items).to.be.lessThan(n);
        expectBytes((await store.get('e' + (n - 1)))?.value, Buffer.alloc(size, (n - 1) & 0xff));
      });
    }

    if (supports.warmUp) {
      it('warmEntries(): the newest live items first, within the byte limit', async () => {
        const warm = store as WarmableStore;
        for (let i = 0; i < 5; i++) {
          await store.set(item('w' + i, Buffer.alloc(100, i), 0, 0, i + 1));
          clock.advance(1);
        }
        await store.delete('w4');
        const got: string[] = [];
        for await (const it of warm.warmEntries(1_000_000)) got.push(it.key);
        expect(got.slice(0, 4)).to.deep.equal(['w3', 'w2', 'w1', 'w0']);
        const limited: string[] = [];
        for await (const it of warm.warmEntries(2 * 102)) limited.push(it.key);
        expect(limited.length).to.be.at.most(2);
        expect(limited[0]).to.equal('w3');
      });
    }

    it('round-trips a 1 MiB value', async () => {
      const value = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 2654435761) >>> 24;
      expect(await store.set(item('big', value, 3))).to.equal(true);
      expectBytes((await store.get('big'))?.value, value);
    });
  });
}
