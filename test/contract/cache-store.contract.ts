import { expect } from 'chai';
import type { CacheItem } from '../../src/domain/item.js';
import { makeItem } from '../../src/domain/item.js';
import type { CacheStore } from '../../src/domain/ports/cache-store.js';
import type { ManualClock } from '../support/manual-clock.js';

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
export function cacheStoreContract(name: string, factory: () => Promise<CacheStoreFixture>): void {
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

    it('round-trips a 1 MiB value', async () => {
      const value = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 2654435761) >>> 24;
      expect(await store.set(item('big', value, 3))).to.equal(true);
      expectBytes((await store.get('big'))?.value, value);
    });
  });
}
