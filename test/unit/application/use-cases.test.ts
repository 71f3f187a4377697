import { expect } from 'chai';
import { StoreMode } from '../../../src/application/storage.js';
import { CasSequence } from '../../../src/application/cas-sequence.js';
import { ServerStats } from '../../../src/application/server-stats.js';
import { PrefixStats } from '../../../src/application/prefix-stats.js';
import type { CacheItem } from '../../../src/domain/item.js';
import type { MaybePromise } from '../../../src/domain/maybe-promise.js';
import { makeCacheFixture, type CacheFixture } from '../../support/cache-fixture.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** The memory store answers synchronously; these tests rely on that to stay simple. */
function sync<T>(v: MaybePromise<T>): T {
  if (v instanceof Promise) throw new Error('expected a synchronous result');
  return v;
}

describe('use-cases', () => {
  let f: CacheFixture;
  beforeEach(() => {
    f = makeCacheFixture();
  });
  afterEach(() => {
    f.useCases.flush.cancel();
  });

  const set = (key: string, value: string, flags = 0, exptime = 0) => sync(f.useCases.storage.store(StoreMode.Set, key, flags, exptime, b(value), 0));
  const get = (key: string) => sync(f.useCases.retrieval.get(key));
  const value = (key: string) => get(key)?.value.toString('latin1');

  describe('storage', () => {
    it('set / get with flags', () => {
      expect(set('a', 'xyz', 42)).to.equal('stored');
      const item = get('a')!;
      expect(item.value.toString()).to.equal('xyz');
      expect(item.flags).to.equal(42);
      expect(f.context.stats.cmd_set).to.equal(1);
      expect(f.context.stats.get_hits).to.equal(1);
    });

    it('expires with the clock, without sleeping', () => {
      set('e', 'v', 0, 10);
      f.clock.advance(9_999);
      expect(value('e')).to.equal('v');
      f.clock.advance(1);
      expect(get('e')).to.equal(undefined);
      expect(f.context.stats.get_misses).to.equal(1);
    });

    it('an absolute exptime more than 30 days out is honoured', () => {
      set('abs', 'v', 0, Math.floor(f.clock.now() / 1000) + 5);
      f.clock.advance(4_000);
      expect(value('abs')).to.equal('v');
      f.clock.advance(1_000);
      expect(get('abs')).to.equal(undefined);
    });

    it('a negative exptime stores an already-expired item', () => {
      expect(set('neg', 'v', 0, -1)).to.equal('stored');
      expect(get('neg')).to.equal(undefined);
    });

    it('add only when absent, replace only when present', () => {
      const s = f.useCases.storage;
      expect(sync(s.store(StoreMode.Replace, 'k', 0, 0, b('1'), 0))).to.equal('not-stored');
      expect(sync(s.store(StoreMode.Add, 'k', 0, 0, b('1'), 0))).to.equal('stored');
      expect(sync(s.store(StoreMode.Add, 'k', 0, 0, b('2'), 0))).to.equal('not-stored');
      expect(sync(s.store(StoreMode.Replace, 'k', 3, 0, b('3'), 0))).to.equal('stored');
      expect(value('k')).to.equal('3');
    });

    it('add succeeds over an expired item', () => {
      set('k', 'old', 0, 1);
      f.clock.advance(1_000);
      expect(sync(f.useCases.storage.store(StoreMode.Add, 'k', 0, 0, b('new'), 0))).to.equal('stored');
      expect(value('k')).to.equal('new');
    });

    it('append/prepend keep flags and expiry, ignore the new ones', () => {
      const s = f.useCases.storage;
      expect(sync(s.store(StoreMode.Append, 'ap', 0, 0, b('x'), 0))).to.equal('not-stored');
      set('ap', 'mid', 9, 10);
      expect(sync(s.store(StoreMode.Append, 'ap', 1, 0, b('>'), 0))).to.equal('stored');
      expect(sync(s.store(StoreMode.Prepend, 'ap', 2, 1000, b('<'), 0))).to.equal('stored');
      const item = get('ap')!;
      expect(item.value.toString()).to.equal('<mid>');
      expect(item.flags).to.equal(9);
      f.clock.advance(10_000);
      expect(get('ap')).to.equal(undefined);
    });

    it('append that would exceed the item size limit is not stored', () => {
      const g = makeCacheFixture({ itemSizeMax: 100 });
      sync(g.useCases.storage.store(StoreMode.Set, 'k', 0, 0, b('x'.repeat(30)), 0));
      expect(sync(g.useCases.storage.store(StoreMode.Append, 'k', 0, 0, b('y'.repeat(30)), 0))).to.equal('not-stored');
      expect(sync(g.useCases.retrieval.get('k'))!.value.length).to.equal(30);
    });

    it('cas: not-found, exists, stored; counters', () => {
      const s = f.useCases.storage;
      expect(sync(s.store(StoreMode.Cas, 'c', 0, 0, b('1'), 1))).to.equal('not-found');
      set('c', 'a');
      const cas = get('c')!.cas;
      expect(sync(s.store(StoreMode.Cas, 'c', 0, 0, b('2'), cas + 1))).to.equal('exists');
      expect(sync(s.store(StoreMode.Cas, 'c', 5, 0, b('3'), cas))).to.equal('stored');
      const item = get('c')!;
      expect(item.value.toString()).to.equal('3');
      expect(item.flags).to.equal(5);
      expect(item.cas).to.not.equal(cas);
      expect(sync(s.store(StoreMode.Cas, 'c', 0, 0, b('4'), cas))).to.equal('exists');
      const st = f.context.stats;
      expect([st.cas_misses, st.cas_badval, st.cas_hits]).to.deep.equal([1, 2, 1]);
    });

    it('every modification changes the cas', () => {
      set('k', '1');
      const seen = new Set<number>([get('k')!.cas]);
      sync(f.useCases.storage.store(StoreMode.Append, 'k', 0, 0, b('2'), 0));
      seen.add(get('k')!.cas);
      sync(f.useCases.arithmetic.apply('k', 1n, true));
      seen.add(get('k')!.cas);
      set('k', '5');
      seen.add(get('k')!.cas);
      expect(seen.size).to.equal(4);
    });

    it("item size limit: fits() uses memcached's accounting", () => {
      const s = f.useCases.storage;
      expect(s.fits(1, 1_048_516, 0)).to.equal(true);
      expect(s.fits(1, 1_048_517, 0)).to.equal(false);
      expect(s.fits(1, 1_048_513, 7)).to.equal(false);
    });

    it('a set refused as too large removes the old value; add does not', () => {
      const s = f.useCases.storage;
      set('big', 'old');
      sync(s.rejectTooLarge(StoreMode.Set, 'big'));
      expect(get('big')).to.equal(undefined);
      set('big2', 'old');
      sync(s.rejectTooLarge(StoreMode.Add, 'big2'));
      expect(value('big2')).to.equal('old');
      expect(f.context.stats.store_too_large).to.equal(2);
    });

    it('reports no-memory when the store cannot hold the item', () => {
      const g = makeCacheFixture({ maxMemory: 1000 });
      expect(sync(g.useCases.storage.store(StoreMode.Set, 'k', 0, 0, Buffer.alloc(2000), 0))).to.equal('no-memory');
      expect(g.context.stats.store_no_memory).to.equal(1);
    });
  });

  describe('arithmetic', () => {
    const incr = (k: string, d: bigint) => sync(f.useCases.arithmetic.apply(k, d, true));
    const decr = (k: string, d: bigint) => sync(f.useCases.arithmetic.apply(k, d, false));

    it('incr/decr and their counters', () => {
      set('n', '10');
      expect(incr('n', 5n)).to.equal(15n);
      expect(decr('n', 3n)).to.equal(12n);
      expect(incr('missing', 1n)).to.equal('not-found');
      expect(decr('missing', 1n)).to.equal('not-found');
      const st = f.context.stats;
      expect([st.incr_hits, st.decr_hits, st.incr_misses, st.decr_misses]).to.deep.equal([1, 1, 1, 1]);
    });

    it('incr wraps at 2^64', () => {
      set('n', '18446744073709551615');
      expect(incr('n', 1n)).to.equal(0n);
      expect(value('n')).to.equal('0'.padEnd(20, ' '));
    });

    it('decr floors at 0 and pads with spaces ("10" decr 1 -> "9 ")', () => {
      set('n', '10');
      expect(decr('n', 1n)).to.equal(9n);
      expect(value('n')).to.equal('9 ');
      expect(decr('n', 100n)).to.equal(0n);
      expect(value('n')).to.equal('0 ');
      // A padded value still counts: trailing spaces end the number.
      expect(incr('n', 100n)).to.equal(100n);
      expect(value('n')).to.equal('100');
    });

    it('refuses non-numeric and empty values', () => {
      set('s', 'abc');
      expect(incr('s', 1n)).to.equal('non-numeric');
      set('e', '');
      expect(incr('e', 1n)).to.equal('non-numeric');
      set('neg', '-1');
      expect(incr('neg', 1n)).to.equal('non-numeric');
      set('t', '12a');
      expect(decr('t', 1n)).to.equal('non-numeric');
    });

    it('keeps flags and expiry', () => {
      set('n', '1', 77, 10);
      incr('n', 1n);
      expect(get('n')!.flags).to.equal(77);
      f.clock.advance(10_000);
      expect(get('n')).to.equal(undefined);
    });
  });

  describe('touch and gat', () => {
    it('touch extends and shortens the expiry', () => {
      set('t', 'v', 0, 10);
      expect(sync(f.useCases.touch.touch('t', 100))).to.equal(true);
      f.clock.advance(50_000);
      expect(value('t')).to.equal('v');
      expect(sync(f.useCases.touch.touch('t', 1))).to.equal(true);
      f.clock.advance(1_000);
      expect(get('t')).to.equal(undefined);
      expect(sync(f.useCases.touch.touch('t', 1))).to.equal(false);
      const st = f.context.stats;
      expect([st.cmd_touch, st.touch_hits, st.touch_misses]).to.deep.equal([3, 2, 1]);
    });

    it('touch 0 makes an item permanent', () => {
      set('t', 'v', 0, 1);
      sync(f.useCases.touch.touch('t', 0));
      f.clock.advance(1_000_000);
      expect(value('t')).to.equal('v');
    });

    it('gat returns the item and sets the new expiry', () => {
      set('g', 'v', 3, 0);
      const item = sync(f.useCases.retrieval.getAndTouch('g', 5)) as CacheItem;
      expect(item.value.toString()).to.equal('v');
      expect(item.flags).to.equal(3);
      f.clock.advance(5_000);
      expect(get('g')).to.equal(undefined);
      expect(sync(f.useCases.retrieval.getAndTouch('g', 5))).to.equal(undefined);
      const st = f.context.stats;
      expect([st.touch_hits, st.touch_misses, st.get_hits]).to.deep.equal([1, 1, 1]);
    });
  });

  describe('deletion', () => {
    it('deletes live items and counts hits and misses', () => {
      set('d', 'v');
      expect(sync(f.useCases.deletion.delete('d'))).to.equal(true);
      expect(sync(f.useCases.deletion.delete('d'))).to.equal(false);
      expect([f.context.stats.delete_hits, f.context.stats.delete_misses]).to.deep.equal([1, 1]);
    });
    it('an expired item is not deleted', () => {
      set('d', 'v', 0, 1);
      f.clock.advance(1_000);
      expect(sync(f.useCases.deletion.delete('d'))).to.equal(false);
    });
  });

  describe('flush_all', () => {
    it('without a delay empties the cache at once', () => {
      set('a', '1');
      set('b', '2');
      sync(f.useCases.flush.flushAll(0));
      expect(get('a')).to.equal(undefined);
      expect(get('b')).to.equal(undefined);
      expect(f.context.stats.cmd_flush).to.equal(1);
    });

    it('with a delay flushes when the timer fires and the clock has reached the deadline', async () => {
      set('a', '1');
      // 1 s on the manual clock; the timer's real wait is what the clock says is left.
      sync(f.useCases.flush.flushAll(1));
      expect(value('a')).to.equal('1');
      f.clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(get('a')).to.equal(undefined);
    });

    it('a later flush_all cancels a pending one', async () => {
      sync(f.useCases.flush.flushAll(1));
      sync(f.useCases.flush.flushAll(1000));
      set('a', '1');
      f.clock.advance(1_000);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(value('a')).to.equal('1');
    });
  });

  describe('stats and admin', () => {
    it('general stats use memcached names and reflect counters', () => {
      set('a', '1');
      get('a');
      get('b');
      const m = new Map(f.useCases.stats.general());
      expect(m.get('cmd_get')).to.equal(2);
      expect(m.get('get_hits')).to.equal(1);
      expect(m.get('get_misses')).to.equal(1);
      expect(m.get('curr_items')).to.equal(1);
      expect(m.get('version')).to.equal('1.6.18');
      f.useCases.stats.reset();
      expect(new Map(f.useCases.stats.general()).get('cmd_get')).to.equal(0);
    });

    it('stats items/slabs are empty for an empty cache', () => {
      expect(f.useCases.stats.items()).to.deep.equal([]);
      expect(new Map(f.useCases.stats.slabs()).get('active_slabs')).to.equal(0);
    });

    it('stats detail records per-prefix counters only while on', () => {
      const s = f.useCases.stats;
      expect(s.detail('bogus')).to.equal(undefined);
      set('p:x', '1');
      expect(s.detail('dump')).to.deep.equal([]);
      expect(s.detail('on')).to.equal('on');
      set('p:x', '1');
      get('p:x');
      get('nocolon');
      sync(f.useCases.deletion.delete('p:y'));
      expect(s.detail('dump')).to.deep.equal(['PREFIX p get 1 hit 1 set 1 del 1']);
      expect(s.detail('off')).to.equal('off');
    });

    it('verbosity clamps to 2; cache_memlimit validates megabytes', () => {
      const a = f.useCases.admin;
      a.setVerbosity(5);
      expect(a.verbosity).to.equal(2);
      expect(a.version()).to.equal('1.6.18');
      expect(a.setMemoryLimitMb(7)).to.equal('too-small');
      expect(a.setMemoryLimitMb(2_000_000_000)).to.equal('not-megabytes');
      expect(a.setMemoryLimitMb(16)).to.equal('ok');
      expect(f.memoryLimits).to.deep.equal([16 * 1024 * 1024]);
    });
  });

  describe('small parts', () => {
    it('CasSequence only moves forward', () => {
      const c = new CasSequence();
      expect(c.next()).to.equal(1);
      c.advancePast(100);
      expect(c.next()).to.equal(101);
      c.advancePast(5);
      expect(c.current).to.equal(101);
    });
    it('ServerStats.reset keeps curr_connections', () => {
      const s = new ServerStats();
      s.curr_connections = 3;
      s.cmd_get = 9;
      s.reset();
      expect(s.cmd_get).to.equal(0);
      expect(s.curr_connections).to.equal(3);
    });
    it('PrefixStats ignores keys without the delimiter', () => {
      const p = new PrefixStats(':');
      p.recordGet('nokey', true);
      p.recordSet('a:b');
      expect(p.dump()).to.deep.equal(['PREFIX a get 0 hit 0 set 1 del 0']);
      p.clear();
      expect(p.dump()).to.deep.equal([]);
    });
  });
});
