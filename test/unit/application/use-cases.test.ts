import { expect } from 'chai';
import { StoreMode } from '../../../src/application/storage.js';
import { CasSequence } from '../../../src/application/cas-sequence.js';
import { ServerStats } from '../../../src/application/server-stats.js';
import { PrefixStats } from '../../../src/application/prefix-stats.js';
import type { CacheItem } from '../../../src/domain/item.js';
import type { MaybePromise } from '../../../src/domain/maybe-promise.js';
import { asyncStore } from '../../support/async-store.js';
import { makeCacheFixture, type CacheFixture, type FixtureOptions } from '../../support/cache-fixture.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** The memory store answers synchronously: a Promise from it is a failure. */
function sync<T>(v: MaybePromise<T>): T {
  if (v instanceof Promise) throw new Error('expected a synchronous result');
  return v;
}

for (const kind of ['synchronous', 'asynchronous'] as const) {
  describe(`use-cases (${kind} store)`, () => {
    /** A fixture whose store answers as `kind` says (the asynchronous one with a Promise a turn later, as the disk tier). */
    const fixture = (options: FixtureOptions = {}) => makeCacheFixture(kind === 'asynchronous' ? { ...options, wrap: asyncStore } : options);
    /** The synchronous store must answer without a Promise; the asynchronous one is awaited. */
    const settle = async <T>(v: MaybePromise<T>): Promise<T> => (kind === 'synchronous' ? sync(v) : await v);
    let f: CacheFixture;
    beforeEach(() => {
      f = fixture();
    });
    afterEach(() => {
      f.useCases.flush.cancel();
    });

    const set = (key: string, value: string, flags = 0, exptime = 0) => settle(f.useCases.storage.store(StoreMode.Set, key, flags, exptime, b(value), 0));
    const get = (key: string) => settle(f.useCases.retrieval.get(key));
    const value = async (key: string) => (await get(key))?.value.toString('latin1');

    describe('storage', () => {
      it('set / get with flags', async () => {
        expect(await set('a', 'xyz', 42)).to.equal('stored');
        const item = (await await get('a'))!;
        expect(item.value.toString()).to.equal('xyz');
        expect(item.flags).to.equal(42);
        expect(f.context.stats.cmd_set).to.equal(1);
        expect(f.context.stats.get_hits).to.equal(1);
      });

      it('expires with the clock, without sleeping', async () => {
        await set('e', 'v', 0, 10);
        f.clock.advance(9_999);
        expect(await value('e')).to.equal('v');
        f.clock.advance(1);
        expect(await get('e')).to.equal(undefined);
        expect(f.context.stats.get_misses).to.equal(1);
      });

      it('an absolute exptime more than 30 days out is honoured', async () => {
        await set('abs', 'v', 0, Math.floor(f.clock.now() / 1000) + 5);
        f.clock.advance(4_000);
        expect(await value('abs')).to.equal('v');
        f.clock.advance(1_000);
        expect(await get('abs')).to.equal(undefined);
      });

      it('a negative exptime stores an already-expired item', async () => {
        expect(await set('neg', 'v', 0, -1)).to.equal('stored');
        expect(await get('neg')).to.equal(undefined);
      });

      it('add only when absent, replace only when present', async () => {
        const s = f.useCases.storage;
        expect(await settle(s.store(StoreMode.Replace, 'k', 0, 0, b('1'), 0))).to.equal('not-stored');
        expect(await settle(s.store(StoreMode.Add, 'k', 0, 0, b('1'), 0))).to.equal('stored');
        expect(await settle(s.store(StoreMode.Add, 'k', 0, 0, b('2'), 0))).to.equal('not-stored');
        expect(await settle(s.store(StoreMode.Replace, 'k', 3, 0, b('3'), 0))).to.equal('stored');
        expect(await value('k')).to.equal('3');
      });

      it('add succeeds over an expired item', async () => {
        await set('k', 'old', 0, 1);
        f.clock.advance(1_000);
        expect(await settle(f.useCases.storage.store(StoreMode.Add, 'k', 0, 0, b('new'), 0))).to.equal('stored');
        expect(await value('k')).to.equal('new');
      });

      it('append/prepend keep flags and expiry, ignore the new ones', async () => {
        const s = f.useCases.storage;
        expect(await settle(s.store(StoreMode.Append, 'ap', 0, 0, b('x'), 0))).to.equal('not-stored');
        await set('ap', 'mid', 9, 10);
        expect(await settle(s.store(StoreMode.Append, 'ap', 1, 0, b('>'), 0))).to.equal('stored');
        expect(await settle(s.store(StoreMode.Prepend, 'ap', 2, 1000, b('<'), 0))).to.equal('stored');
        const item = (await await get('ap'))!;
        expect(item.value.toString()).to.equal('<mid>');
        expect(item.flags).to.equal(9);
        f.clock.advance(10_000);
        expect(await get('ap')).to.equal(undefined);
      });

      it('append that would exceed the item size limit is not stored', async () => {
        const g = fixture({ itemSizeMax: 100 });
        await settle(g.useCases.storage.store(StoreMode.Set, 'k', 0, 0, b('x'.repeat(30)), 0));
        expect(await settle(g.useCases.storage.store(StoreMode.Append, 'k', 0, 0, b('y'.repeat(30)), 0))).to.equal('not-stored');
        expect((await settle(g.useCases.retrieval.get('k')))!.value.length).to.equal(30);
      });

      it('cas: not-found, exists, stored; counters', async () => {
        const s = f.useCases.storage;
        expect(await settle(s.store(StoreMode.Cas, 'c', 0, 0, b('1'), 1))).to.equal('not-found');
        await set('c', 'a');
        const cas = (await await get('c'))!.cas;
        expect(await settle(s.store(StoreMode.Cas, 'c', 0, 0, b('2'), cas + 1))).to.equal('exists');
        expect(await settle(s.store(StoreMode.Cas, 'c', 5, 0, b('3'), cas))).to.equal('stored');
        const item = (await await get('c'))!;
        expect(item.value.toString()).to.equal('3');
        expect(item.flags).to.equal(5);
        expect(item.cas).to.not.equal(cas);
        expect(await settle(s.store(StoreMode.Cas, 'c', 0, 0, b('4'), cas))).to.equal('exists');
        const st = f.context.stats;
        expect([st.cas_misses, st.cas_badval, st.cas_hits]).to.deep.equal([1, 2, 1]);
      });

      it('every modification changes the cas', async () => {
        await set('k', '1');
        const seen = new Set<number>([(await await get('k'))!.cas]);
        await settle(f.useCases.storage.store(StoreMode.Append, 'k', 0, 0, b('2'), 0));
        seen.add((await await get('k'))!.cas);
        await settle(f.useCases.arithmetic.apply('k', 1n, true));
        seen.add((await await get('k'))!.cas);
        await set('k', '5');
        seen.add((await await get('k'))!.cas);
        expect(seen.size).to.equal(4);
      });

      it("item size limit: fits() uses memcached's accounting", async () => {
        const s = f.useCases.storage;
        expect(s.fits(1, 1_048_516, 0)).to.equal(true);
        expect(s.fits(1, 1_048_517, 0)).to.equal(false);
        expect(s.fits(1, 1_048_513, 7)).to.equal(false);
      });

      it('a set refused as too large removes the old value; add does not', async () => {
        const s = f.useCases.storage;
        await set('big', 'old');
        await settle(s.rejectTooLarge(StoreMode.Set, 'big'));
        expect(await get('big')).to.equal(undefined);
        await set('big2', 'old');
        await settle(s.rejectTooLarge(StoreMode.Add, 'big2'));
        expect(await value('big2')).to.equal('old');
        expect(f.context.stats.store_too_large).to.equal(2);
      });

      it('reports no-memory when the store cannot hold the item', async () => {
        const g = fixture({ maxMemory: 1000 });
        expect(await settle(g.useCases.storage.store(StoreMode.Set, 'k', 0, 0, Buffer.alloc(2000), 0))).to.equal('no-memory');
        expect(g.context.stats.store_no_memory).to.equal(1);
      });
    });

    describe('arithmetic', () => {
      const incr = (k: string, d: bigint) => settle(f.useCases.arithmetic.apply(k, d, true));
      const decr = (k: string, d: bigint) => settle(f.useCases.arithmetic.apply(k, d, false));

      it('incr/decr and their counters', async () => {
        await set('n', '10');
        expect(await incr('n', 5n)).to.equal(15n);
        expect(await decr('n', 3n)).to.equal(12n);
        expect(await incr('missing', 1n)).to.equal('not-found');
        expect(await decr('missing', 1n)).to.equal('not-found');
        const st = f.context.stats;
        expect([st.incr_hits, st.decr_hits, st.incr_misses, st.decr_misses]).to.deep.equal([1, 1, 1, 1]);
      });

      it('incr wraps at 2^64', async () => {
        await set('n', '18446744073709551615');
        expect(await incr('n', 1n)).to.equal(0n);
        expect(await value('n')).to.equal('0'.padEnd(20, ' '));
      });

      it('decr floors at 0 and pads with spaces ("10" decr 1 -> "9 ")', async () => {
        await set('n', '10');
        expect(await decr('n', 1n)).to.equal(9n);
        expect(await value('n')).to.equal('9 ');
        expect(await decr('n', 100n)).to.equal(0n);
        expect(await value('n')).to.equal('0 ');
        // A padded value still counts: trailing spaces end the number.
        expect(await incr('n', 100n)).to.equal(100n);
        expect(await value('n')).to.equal('100');
      });

      it('refuses non-numeric and empty values', async () => {
        await set('s', 'abc');
        expect(await incr('s', 1n)).to.equal('non-numeric');
        await set('e', '');
        expect(await incr('e', 1n)).to.equal('non-numeric');
        await set('neg', '-1');
        expect(await incr('neg', 1n)).to.equal('non-numeric');
        await set('t', '12a');
        expect(await decr('t', 1n)).to.equal('non-numeric');
      });

      it('keeps flags and expiry', async () => {
        await set('n', '1', 77, 10);
        await incr('n', 1n);
        expect((await await get('n'))!.flags).to.equal(77);
        f.clock.advance(10_000);
        expect(await get('n')).to.equal(undefined);
      });
    });

    describe('touch and gat', () => {
      it('touch extends and shortens the expiry', async () => {
        await set('t', 'v', 0, 10);
        expect(await settle(f.useCases.touch.touch('t', 100))).to.equal(true);
        f.clock.advance(50_000);
        expect(await value('t')).to.equal('v');
        expect(await settle(f.useCases.touch.touch('t', 1))).to.equal(true);
        f.clock.advance(1_000);
        expect(await get('t')).to.equal(undefined);
        expect(await settle(f.useCases.touch.touch('t', 1))).to.equal(false);
        const st = f.context.stats;
        expect([st.cmd_touch, st.touch_hits, st.touch_misses]).to.deep.equal([3, 2, 1]);
      });

      it('touch 0 makes an item permanent', async () => {
        await set('t', 'v', 0, 1);
        await settle(f.useCases.touch.touch('t', 0));
        f.clock.advance(1_000_000);
        expect(await value('t')).to.equal('v');
      });

      it('gat returns the item and sets the new expiry', async () => {
        await set('g', 'v', 3, 0);
        const item = (await settle(f.useCases.retrieval.getAndTouch('g', 5))) as CacheItem;
        expect(item.value.toString()).to.equal('v');
        expect(item.flags).to.equal(3);
        f.clock.advance(5_000);
        expect(await get('g')).to.equal(undefined);
        expect(await settle(f.useCases.retrieval.getAndTouch('g', 5))).to.equal(undefined);
        const st = f.context.stats;
        expect([st.touch_hits, st.touch_misses, st.get_hits]).to.deep.equal([1, 1, 1]);
      });
    });

    describe('deletion', () => {
      it('deletes live items and counts hits and misses', async () => {
        await set('d', 'v');
        expect(await settle(f.useCases.deletion.delete('d'))).to.equal(true);
        expect(await settle(f.useCases.deletion.delete('d'))).to.equal(false);
        expect([f.context.stats.delete_hits, f.context.stats.delete_misses]).to.deep.equal([1, 1]);
      });
      it('an expired item is not deleted', async () => {
        await set('d', 'v', 0, 1);
        f.clock.advance(1_000);
        expect(await settle(f.useCases.deletion.delete('d'))).to.equal(false);
      });
    });

    describe('flush_all', () => {
      it('without a delay empties the cache at once', async () => {
        await set('a', '1');
        await set('b', '2');
        await settle(f.useCases.flush.flushAll(0));
        expect(await get('a')).to.equal(undefined);
        expect(await get('b')).to.equal(undefined);
        expect(f.context.stats.cmd_flush).to.equal(1);
      });

      it('with a delay flushes when the timer fires and the clock has reached the deadline', async () => {
        await set('a', '1');
        // 2 s acts after 1 s on the manual clock (memcached's oldest_live is the deadline - 1 s);
        // the timer's real wait is what the clock says is left.
        await settle(f.useCases.flush.flushAll(2));
        expect(await value('a')).to.equal('1');
        f.clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 1_100));
        expect(await get('a')).to.equal(undefined);
      });

      it('a delay of 1 s acts at once, as memcached 1.6.18 does', async () => {
        await set('a', '1');
        await settle(f.useCases.flush.flushAll(1));
        expect(await get('a')).to.equal(undefined);
      });

      it('an immediate flush takes a cas unique (memcached: oldest_cas), a delayed one does not', async () => {
        await set('a', '1');
        const before = f.context.cas.current;
        await settle(f.useCases.flush.flushAll(0));
        expect(f.context.cas.current).to.equal(before + 1);
        await settle(f.useCases.flush.flushAll(5));
        expect(f.context.cas.current).to.equal(before + 1);
      });

      it('a later flush_all cancels a pending one', async () => {
        await settle(f.useCases.flush.flushAll(2));
        await settle(f.useCases.flush.flushAll(1000));
        await set('a', '1');
        f.clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 1_100));
        expect(await value('a')).to.equal('1');
      });
    });

    describe('stats and admin', () => {
      it('general stats use memcached names and reflect counters', async () => {
        await set('a', '1');
        await get('a');
        await get('b');
        const m = new Map(f.useCases.stats.general());
        expect(m.get('cmd_get')).to.equal(2);
        expect(m.get('get_hits')).to.equal(1);
        expect(m.get('get_misses')).to.equal(1);
        expect(m.get('curr_items')).to.equal(1);
        expect(m.get('version')).to.equal('1.6.18');
        f.useCases.stats.reset();
        expect(new Map(f.useCases.stats.general()).get('cmd_get')).to.equal(0);
      });

      it('stats items/slabs are empty for an empty cache', async () => {
        expect(f.useCases.stats.items()).to.deep.equal([]);
        expect(new Map(f.useCases.stats.slabs()).get('active_slabs')).to.equal(0);
      });

      it('stats detail records per-prefix counters only while on', async () => {
        const s = f.useCases.stats;
        expect(s.detail('bogus')).to.equal(undefined);
        await set('p:x', '1');
        expect(s.detail('dump')).to.deep.equal([]);
        expect(s.detail('on')).to.equal('on');
        await set('p:x', '1');
        await get('p:x');
        await get('nocolon');
        await settle(f.useCases.deletion.delete('p:y'));
        expect(s.detail('dump')).to.deep.equal(['PREFIX p get 1 hit 1 set 1 del 1']);
        expect(s.detail('off')).to.equal('off');
      });

      it('verbosity clamps to 2; cache_memlimit validates megabytes', async () => {
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
  });
}

describe('use-cases: small parts', () => {
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
