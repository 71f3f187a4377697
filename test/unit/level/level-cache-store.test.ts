import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_SIZE, encodeRecord } from '../../../src/adapters/level/record-codec.js';
import { makeItem } from '../../../src/domain/item.js';
import { isPromise } from '../../../src/domain/maybe-promise.js';
import { LevelFixture, compressible, dirSize } from './level-fixture.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('LevelCacheStore', () => {
  let fx: LevelFixture;

  beforeEach(async () => {
    fx = await LevelFixture.create();
  });

  afterEach(async () => {
    await fx.cleanup();
  });

  describe('persistence', () => {
    it('keeps items, flags, exptime and cas across close and reopen, and reports maxCas', async () => {
      const now = fx.clock.now();
      let s = await fx.store();
      await s.set(makeItem('a', Buffer.from('alpha\r\n'), 42, 0, 100));
      await s.set(makeItem('b\xff', compressible(50_000), 0xffff_ffff, now + 60_000, 2 ** 45 + 1));
      await s.set(makeItem('c', Buffer.from('gone'), 0, 0, 7));
      await s.delete('c');
      await s.stop();

      s = await fx.store();
      expect(s.stats().items).to.equal(2);
      expect(s.maxCas()).to.equal(2 ** 45 + 1);
      const a = await s.get('a');
      expect(a!.value.toString('latin1')).to.equal('alpha\r\n');
      expect(a!.flags).to.equal(42);
      expect(a!.exptime).to.equal(0);
      expect(a!.cas).to.equal(100);
      const b = await s.get('b\xff');
      expect(Buffer.compare(b!.value, compressible(50_000))).to.equal(0);
      expect(b!.flags).to.equal(0xffff_ffff);
      expect(b!.exptime).to.equal(now + 60_000);
      expect(b!.cas).to.equal(2 ** 45 + 1);
      expect(await s.get('c')).to.equal(undefined);
    });

    it('keeps the empty key and keys starting with 0x00 apart from its bookkeeping record, across deletes and a reopen', async () => {
      let s = await fx.store();
      await s.set(makeItem('', Buffer.from('empty'), 1, 0, 10));
      await s.set(makeItem('\x00x', Buffer.from('nul'), 2, 0, 11));
      await s.set(makeItem('x', Buffer.from('plain'), 3, 0, 12));
      await s.set(makeItem('a b', Buffer.from('other'), 0, 0, 13));
      await s.delete('a b');
      expect((await s.get(''))!.value.toString()).to.equal('empty');
      await s.stop();

      s = await fx.store();
      expect(s.stats().items).to.equal(3);
      expect(s.maxCas()).to.be.at.least(13);
      const empty = await s.get('');
      expect(empty!.value.toString()).to.equal('empty');
      expect(empty!.flags).to.equal(1);
      expect((await s.get('\x00x'))!.value.toString()).to.equal('nul');
      expect((await s.get('x'))!.value.toString()).to.equal('plain');
      expect(await s.get('a b')).to.equal(undefined);
    });

    it('drops records that expired while closed', async () => {
      let s = await fx.store();
      await s.set(makeItem('short', Buffer.from('v'), 0, fx.clock.now() + 1000, 1));
      await s.set(makeItem('long', Buffer.from('v'), 0, 0, 2));
      await s.stop();
      fx.clock.advance(1000);
      s = await fx.store();
      expect(s.stats().items).to.equal(1);
      expect(s.stats().expired).to.equal(1);
      expect(await s.get('short')).to.equal(undefined);
    });

    it('clearOnStartup wipes the database', async () => {
      let s = await fx.store();
      await s.set(makeItem('a', Buffer.from('v'), 0, 0, 1));
      await s.stop();
      s = await fx.store({ clearOnStartup: true });
      expect(s.stats().items).to.equal(0);
      expect(await s.get('a')).to.equal(undefined);
    });
  });

  describe('reads', () => {
    it('answers a hit synchronously (getSync), also while the write is still pending', async () => {
      const s = await fx.store();
      const write = s.set(makeItem('k', Buffer.from('v1'), 0, 0, 1));
      const pendingHit = s.get('k');
      expect(isPromise(pendingHit)).to.equal(false);
      expect((pendingHit as { value: Buffer }).value.toString()).to.equal('v1');
      await write;
      expect(s.l2Stats().pendingWrites).to.equal(0);
      const diskHit = s.get('k');
      expect(isPromise(diskHit)).to.equal(false);
      expect((diskHit as { value: Buffer }).value.toString()).to.equal('v1');
      expect(s.get('missing')).to.equal(undefined);
      const st = s.l2Stats();
      expect(st.hits).to.equal(2);
      expect(st.misses).to.equal(1);
      expect(st.reads).to.equal(3);
    });
  });

  describe('compression', () => {
    it('stores a compressible 100 KiB value compressed: smaller on disk, exact bytes back', async () => {
      const value = compressible(100 * 1024);
      const packed = await fx.store();
      await packed.set(makeItem('v', value, 0, 0, 1));
      await packed.stop();
      const packedSize = await dirSize(fx.dataDir);

      const plainFx = await LevelFixture.create();
      try {
        const plain = await plainFx.store({ enableCompression: false });
        await plain.set(makeItem('v', value, 0, 0, 1));
        await plain.stop();
        const plainSize = await dirSize(plainFx.dataDir);
        expect(packedSize).to.be.lessThan(plainSize - 50 * 1024);
      } finally {
        await plainFx.cleanup();
      }

      const raw = await fx.raw();
      const record = await raw.get(Buffer.from('v', 'latin1'));
      await raw.close();
      expect(record![1], 'compressor id').to.equal(1);
      expect(record!.length).to.be.lessThan(value.length / 4);

      const again = await fx.store();
      expect(Buffer.compare((await again.get('v'))!.value, value)).to.equal(0);
    });

    it('stores an incompressible value raw with compressor id 0', async () => {
      const value = randomBytes(100 * 1024);
      const s = await fx.store();
      await s.set(makeItem('r', value, 0, 0, 1));
      expect(s.l2Stats().compressedWrites).to.equal(0);
      await s.stop();
      const raw = await fx.raw();
      const record = await raw.get(Buffer.from('r', 'latin1'));
      await raw.close();
      expect(record![1]).to.equal(0);
      expect(record!.length).to.equal(HEADER_SIZE + value.length);
      const again = await fx.store();
      expect(Buffer.compare((await again.get('r'))!.value, value)).to.equal(0);
    });

    it('leaves values below the threshold raw and reports the compression ratio', async () => {
      const s = await fx.store({ compressionThreshold: 4096 });
      await s.set(makeItem('small', compressible(4095), 0, 0, 1));
      expect(s.l2Stats().compressedWrites).to.equal(0);
      await s.set(makeItem('large', compressible(4096), 0, 0, 2));
      const st = s.l2Stats();
      expect(st.compressedWrites).to.equal(1);
      expect(st.rawBytes).to.equal(8191);
      expect(st.compressionRatio).to.be.greaterThan(1.5);
    });
  });

  describe('record memory reused across batches', () => {
    it('keeps every value byte-exact: read while pending, after later batches reused its memory, and after a restart', async () => {
      let s = await fx.store({ enableCompression: false });
      const values = new Map<string, Buffer>();
      // What a read of a pending write returned, beside what was written: the reader's Buffer must not change later.
      const readWhilePending: Array<[Buffer, Buffer]> = [];
      // Several rounds of batches, each applied before the next: later batches write into the memory of earlier ones.
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 3000; i++) {
          const key = `k${(round * 1237 + i) % 5000}`;
          const value = randomBytes(20 + (i % 200));
          values.set(key, value);
          void s.set(makeItem(key, value, i, 0, round * 10_000 + i + 1));
          if (i % 500 === 0) {
            const got = s.get(key);
            expect(isPromise(got), 'a pending write answers synchronously').to.equal(false);
            readWhilePending.push([(got as { value: Buffer }).value, value]);
          }
        }
        // One large value too (kept as its own chunk).
        const big = randomBytes(70_000);
        values.set(`big${round}`, big);
        void s.set(makeItem(`big${round}`, big, 0, 0, 99_000 + round));
        await s.flush();
      }
      expect(s.l2Stats().queue.batches).to.be.greaterThan(4);
      expect(readWhilePending).to.have.length(24);
      for (const [held, written] of readWhilePending) expect(Buffer.compare(held, written)).to.equal(0);
      const check = async (store: typeof s): Promise<void> => {
        for (const [key, value] of values) {
          const got = await store.get(key);
          expect(got, key).to.not.equal(undefined);
          expect(Buffer.compare(got!.value, value), key).to.equal(0);
        }
      };
      await check(s);
      await s.stop();
      s = await fx.store({ enableCompression: false });
      await check(s);
    });
  });

  describe('corrupt records', () => {
    it('skips a record with a bad header or a bad compressed payload: warn and miss, no throw', async () => {
      let s = await fx.store();
      await s.set(makeItem('good', Buffer.from('fine'), 0, 0, 1));
      await s.stop();

      const raw = await fx.raw();
      await raw.put(Buffer.from('garbage', 'latin1'), Buffer.from('not a record at all, definitely'));
      const fake = makeItem('badlz4', Buffer.alloc(5000), 0, 0, 2);
      await raw.put(Buffer.from('badlz4', 'latin1'), encodeRecord(fake, 1, Buffer.from([0xff, 0xff, 0xff, 0x01]), 1));
      await raw.close();

      s = await fx.store();
      expect(await s.get('garbage')).to.equal(undefined);
      expect(await s.get('badlz4')).to.equal(undefined);
      expect((await s.get('good'))!.value.toString()).to.equal('fine');
      expect(fx.logger.at('warn').length).to.be.at.least(2);
      expect(s.l2Stats().corrupt).to.equal(2);
      // Both are gone for good, also after a reopen.
      expect(s.stats().items).to.equal(1);
      await s.stop();
      s = await fx.store();
      expect(s.stats().items).to.equal(1);
      expect(s.l2Stats().corrupt).to.equal(0);
    });
  });

  describe('max_disk_size', () => {
    it('evicts the oldest-written entries first', async () => {
      const value = Buffer.alloc(1000, 7);
      const s = await fx.store({ maxDiskSize: 10_000, enableCompression: false });
      // Write order differs from key order, so key order cannot pass for write order.
      const keys = Array.from({ length: 20 }, (_, i) => `key-${(i * 7) % 20}`);
      for (const [i, k] of keys.entries()) await s.set(makeItem(k, value, 0, 0, i + 1));
      const st = s.stats();
      expect(st.bytes).to.be.at.most(10_000);
      expect(st.evictions).to.equal(20 - st.items);
      expect(st.items).to.be.within(8, 9);
      for (const k of keys.slice(0, 20 - st.items)) expect(await s.get(k), k).to.equal(undefined);
      for (const k of keys.slice(20 - st.items)) expect(await s.get(k), k).to.not.equal(undefined);
    });

    it('keeps write order across a restart', async () => {
      const value = Buffer.alloc(1000, 7);
      let s = await fx.store({ maxDiskSize: 5500, enableCompression: false });
      for (const k of ['e', 'd', 'c', 'b', 'a']) await s.set(makeItem(k, value, 0, 0, 1));
      await s.stop();
      s = await fx.store({ maxDiskSize: 5500, enableCompression: false });
      await s.set(makeItem('f', value, 0, 0, 2));
      expect(await s.get('e')).to.equal(undefined);
      for (const k of ['d', 'c', 'b', 'a', 'f']) expect(await s.get(k), k).to.not.equal(undefined);
    });

    it('refuses an item larger than the whole budget and removes the old value', async () => {
      const s = await fx.store({ maxDiskSize: 2000, enableCompression: false });
      await s.set(makeItem('k', Buffer.from('small'), 0, 0, 1));
      expect(await s.set(makeItem('k', Buffer.alloc(5000), 0, 0, 2))).to.equal(false);
      expect(await s.get('k')).to.equal(undefined);
    });
  });

  describe('data_dir', () => {
    it('rejects start() with a one-line error naming an uncreatable directory and the cause', async () => {
      const file = join(fx.dataDir, 'plain-file');
      await writeFile(file, 'x');
      const dir = join(file, 'db');
      let error: Error | undefined;
      try {
        await fx.store({ dataDir: dir });
      } catch (err) {
        error = err as Error;
      }
      expect(error, 'start() must reject').to.be.instanceOf(Error);
      expect(error!.message).to.contain(`L2 data_dir ${dir} is not writable`);
      expect(error!.message).to.contain('ENOTDIR');
      expect(error!.message).to.not.contain('\n');
    });

    it('rejects start() while another store holds the directory', async () => {
      await fx.store();
      let error: Error | undefined;
      try {
        await fx.store();
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).to.match(new RegExp(`^L2 data_dir ${fx.dataDir} cannot be opened: .*lock`, 'i'));
    });
  });

  describe('write ordering', () => {
    it('applies set, set, delete, set in call order (final value after reopen)', async () => {
      let s = await fx.store();
      void s.set(makeItem('k', Buffer.from('a'), 0, 0, 1));
      void s.set(makeItem('k', Buffer.from('b'), 0, 0, 2));
      void s.delete('k');
      const last = s.set(makeItem('k', Buffer.from('c'), 0, 0, 3));
      expect((s.get('k') as { value: Buffer }).value.toString()).to.equal('c');
      await last;
      await s.stop();
      s = await fx.store();
      expect((await s.get('k'))!.value.toString()).to.equal('c');
    });

    it('keeps order across batches issued while an earlier one is in flight', async () => {
      let s = await fx.store({ syncWrites: true });
      let last = 0;
      for (let i = 1; i <= 30; i++) {
        void s.set(makeItem('k', Buffer.from(String(i)), 0, 0, i));
        if (i % 7 === 0) void s.delete('k');
        last = i;
        if (i % 3 === 0) await tick();
      }
      await s.flush();
      expect(s.l2Stats().queue.batches).to.be.greaterThan(1);
      await s.stop();
      s = await fx.store();
      expect((await s.get('k'))!.value.toString()).to.equal(String(last));
    });

    it('batches writes from the same tick into one db.batch()', async () => {
      const s = await fx.store();
      const before = s.l2Stats().queue.batches;
      const writes = [];
      for (let i = 0; i < 100; i++) writes.push(s.set(makeItem(`k${i}`, Buffer.from('v'), 0, 0, i + 1)));
      await Promise.all(writes);
      expect(s.l2Stats().queue.batches - before).to.equal(1);
    });

    it('clear drops writes queued before it and keeps writes made after it', async () => {
      let s = await fx.store();
      await s.set(makeItem('old', Buffer.from('v'), 0, 0, 1));
      void s.set(makeItem('queued', Buffer.from('v'), 0, 0, 2));
      const cleared = s.clear();
      const after = s.set(makeItem('after', Buffer.from('v'), 0, 0, 3));
      await cleared;
      await after;
      await s.stop();
      s = await fx.store();
      expect(await s.get('old')).to.equal(undefined);
      expect(await s.get('queued')).to.equal(undefined);
      expect(await s.get('after')).to.not.equal(undefined);
    });
  });

  describe('expiry sweep', () => {
    it('deletes expired records in bounded slices', async () => {
      const now = fx.clock.now();
      let s = await fx.store();
      for (let i = 0; i < 5; i++) await s.set(makeItem(`x${i}`, Buffer.from('v'), 0, now + 1000, i + 1));
      await s.set(makeItem('keep', Buffer.from('v'), 0, 0, 9));
      fx.clock.advance(1000);
      expect(s.sweep(2)).to.equal(2);
      expect(s.stats().items).to.equal(4);
      let removed = 0;
      for (let i = 0; i < 10 && s.stats().items > 1; i++) removed += s.sweep(2);
      expect(removed).to.equal(3);
      expect(s.stats().expired).to.equal(5);
      await s.stop();
      const raw = await fx.raw();
      // The empty key is the bookkeeping record.
      const keys = (await raw.keys().all()).map((k) => k.toString('latin1')).filter((k) => k !== '');
      await raw.close();
      expect(keys).to.deep.equal(['keep']);
      s = await fx.store();
      expect(s.stats().expired).to.equal(0);
    });
  });

  describe('warmEntries', () => {
    it('yields live items newest-written first within the byte budget', async () => {
      const now = fx.clock.now();
      const s = await fx.store();
      for (const k of ['a', 'b', 'c', 'd']) await s.set(makeItem(k, Buffer.alloc(99, 1), 0, 0, 1));
      await s.set(makeItem('dead', Buffer.alloc(99, 1), 0, now + 10, 1));
      await s.set(makeItem('b', Buffer.alloc(99, 2), 0, 0, 2));
      fx.clock.advance(10);
      const got: string[] = [];
      for await (const item of s.warmEntries(300)) got.push(item.key);
      expect(got).to.deep.equal(['b', 'd', 'c']);
      const all: string[] = [];
      for await (const item of s.warmEntries(1e9)) all.push(item.key);
      expect(all).to.deep.equal(['b', 'd', 'c', 'a']);
    });
  });
});
