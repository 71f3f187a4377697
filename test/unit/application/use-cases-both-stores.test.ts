import { expect } from 'chai';
import { StoreMode, type StoreReceipt } from '../../../src/application/storage.js';
import { SLAB_CHUNK_MAX } from '../../../src/domain/rules.js';
import { asyncStore } from '../../support/async-store.js';
import { makeCacheFixture, type CacheFixture } from '../../support/cache-fixture.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/**
 * The use-cases over a synchronous store (the memory tier) and over one
 * whose every answer is a Promise (as the disk tier's): the same commands
 * must give the same outcomes, cas values and counters either way.
 */
for (const kind of ['synchronous', 'asynchronous'] as const) {
  describe(`use-cases over a ${kind} store`, () => {
    let f: CacheFixture;
    beforeEach(() => {
      f = makeCacheFixture(kind === 'asynchronous' ? { wrap: asyncStore } : {});
    });
    afterEach(() => f.useCases.flush.cancel());

    const set = (key: string, value: string) => f.useCases.storage.store(StoreMode.Set, key, 0, 0, b(value), 0);
    const value = async (key: string) => (await f.useCases.retrieval.get(key))?.value.toString('latin1');

    it('storeWith reports the cas it wrote; a cas compare guards set, append and add', async () => {
      const receipt: StoreReceipt = { cas: -1 };
      expect(await f.useCases.storage.storeWith(StoreMode.Set, 'k', 0, 0, b('v1'), {}, receipt)).to.equal('stored');
      const first = receipt.cas;
      expect(first).to.be.greaterThan(0);
      expect((await f.useCases.retrieval.get('k'))!.cas).to.equal(first);
      expect(await f.useCases.storage.storeWith(StoreMode.Cas, 'k', 0, 0, b('v2'), { compareCas: first + 100 }, receipt)).to.equal('exists');
      expect(receipt.cas).to.equal(0);
      expect(await f.useCases.storage.storeWith(StoreMode.Append, 'k', 0, 0, b('+'), { compareCas: first + 100 }, receipt)).to.equal('exists');
      expect(await f.useCases.storage.storeWith(StoreMode.Append, 'k', 0, 0, b('+'), { compareCas: first }, receipt)).to.equal('stored');
      expect(receipt.cas).to.be.greaterThan(first);
      expect(await value('k')).to.equal('v1+');
      expect(await f.useCases.storage.storeWith(StoreMode.Add, 'k', 0, 0, b('x'), {}, receipt)).to.equal('not-stored');
      expect(f.context.stats.cmd_set).to.equal(5);
      expect(f.context.stats.cas_badval).to.equal(1);
    });

    it('deleteWith: a cas mismatch is "exists", counted as a miss unless mismatchUncounted', async () => {
      await set('k', 'v');
      const cas = (await f.useCases.retrieval.get('k'))!.cas;
      expect(await f.useCases.deletion.deleteWith('k', { compareCas: cas + 1 })).to.equal('exists');
      expect(f.context.stats.delete_misses).to.equal(1);
      expect(await f.useCases.deletion.deleteWith('k', { compareCas: cas + 1, mismatchUncounted: true })).to.equal('exists');
      expect(f.context.stats.delete_misses).to.equal(1);
      expect(await f.useCases.deletion.deleteWith('k', { compareCas: cas })).to.equal('deleted');
      expect(await f.useCases.deletion.deleteWith('k', { compareCas: cas })).to.equal('not-found');
      expect(f.context.stats.delete_hits).to.equal(1);
      expect(f.context.stats.delete_misses).to.equal(2);
    });

    it('applyWith: the new value and cas; empty and chunked values are non-numeric before the cas compare', async () => {
      await set('n', '10');
      const r = await f.useCases.arithmetic.applyWith('n', 5n, true, {});
      expect(r.status).to.equal('ok');
      if (r.status !== 'ok') return;
      expect(r.value).to.equal(15n);
      expect((await f.useCases.retrieval.get('n'))!.cas).to.equal(r.item.cas);
      expect((await f.useCases.arithmetic.applyWith('n', 1n, true, { compareCas: r.item.cas + 1 })).status).to.equal('exists');
      await set('empty', '');
      expect((await f.useCases.arithmetic.applyWith('empty', 1n, true, { compareCas: 1 })).status).to.equal('non-numeric');
      await f.useCases.storage.store(StoreMode.Set, 'huge', 0, 0, Buffer.alloc(SLAB_CHUNK_MAX, 0x31), 0);
      expect((await f.useCases.arithmetic.applyWith('huge', 1n, true, { compareCas: 1 })).status).to.equal('non-numeric');
      expect((await f.useCases.arithmetic.applyWith('missing', 1n, false, {})).status).to.equal('not-found');
      expect(f.context.stats.incr_hits).to.equal(1);
      expect(f.context.stats.decr_misses).to.equal(1);
    });

    it('touchItem returns the touched item (flags and cas) even when the new exptime expires it', async () => {
      await f.useCases.storage.store(StoreMode.Set, 't', 42, 0, b('v'), 0);
      const cas = (await f.useCases.retrieval.get('t'))!.cas;
      const touched = await f.useCases.touch.touchItem('t', -1);
      expect(touched?.flags).to.equal(42);
      expect(touched?.cas).to.equal(cas);
      expect(await f.useCases.retrieval.get('t')).to.equal(undefined);
      expect(await f.useCases.touch.touchItem('t', 10)).to.equal(undefined);
      expect(f.context.stats.touch_hits).to.equal(1);
      expect(f.context.stats.touch_misses).to.equal(1);
    });

    it('flush_all with a delay runs when the manual clock passes it (no sleeping); a later one replaces it', async () => {
      await set('a', '1');
      await f.useCases.flush.flushAll(10);
      f.clock.advance(8_500); // a 10 s delay acts after 9 s (memcached's oldest_live)
      expect(await value('a')).to.equal('1');
      await f.useCases.flush.flushAll(20);
      f.clock.advance(1_500);
      expect(await value('a')).to.equal('1');
      f.clock.advance(20_000);
      await new Promise((r) => setImmediate(r));
      expect(await value('a')).to.equal(undefined);
      expect(f.scheduler.armed).to.equal(0);
      expect(f.context.stats.cmd_flush).to.equal(2);
    });

    it('statsGroup: general, reset, detail on/dump/off, and what is not a group', async () => {
      await set('p:a', 'v');
      const general = f.useCases.stats.statsGroup('');
      expect(general.kind).to.equal('pairs');
      if (general.kind === 'pairs') {
        expect(general.pairs.find(([k]) => k === 'pid')?.[1]).to.equal(4242);
        expect(general.pairs.find(([k]) => k === 'cmd_set')?.[1]).to.equal(1);
      }
      expect(f.useCases.stats.statsGroup('detail', 'on').kind).to.equal('detail-set');
      await f.useCases.retrieval.get('p:a');
      const dump = f.useCases.stats.statsGroup('detail', 'dump');
      expect(dump.kind === 'detail-dump' && dump.lines.some((l) => l.startsWith('PREFIX p '))).to.equal(true);
      expect(f.useCases.stats.statsGroup('detail', 'off').kind).to.equal('detail-set');
      expect(f.useCases.stats.statsGroup('detail').kind).to.equal('detail-usage');
      expect(f.useCases.stats.statsGroup('reset').kind).to.equal('reset');
      expect(f.context.stats.cmd_set).to.equal(0);
      expect(f.useCases.stats.statsGroup('bogus').kind).to.equal('unknown');
      expect(f.useCases.stats.statsGroup('sizes')).to.deep.equal({ kind: 'pairs', pairs: [['sizes_status', 'disabled']] });
    });
  });
}
