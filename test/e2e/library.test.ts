import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RatMemCacheBuilder, type RatMemCache } from '../../src/infrastructure/library.js';
import { bytesFor, sleep } from '../support/child-server.js';

const MIB = 1024 * 1024;

describe('e2e: the embeddable library (RatMemCacheBuilder)', function () {
  this.timeout(60_000);
  let root: string;
  const open: RatMemCache[] = [];

  const track = (c: RatMemCache): RatMemCache => {
    open.push(c);
    return c;
  };

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'rat-library-'));
  });
  after(async () => {
    for (const c of open) await c.shutdown();
    rmSync(root, { recursive: true, force: true });
  });

  describe('memory only (the default)', () => {
    let cache: RatMemCache;
    const unusedDir = (): string => path.join(root, 'never-created');

    before(async () => {
      cache = track(await new RatMemCacheBuilder().l2Config({ dataDir: unusedDir() }).build());
    });

    it('does not touch the disk', () => {
      expect(existsSync(unusedDir())).to.equal(false);
      expect(cache.getCacheStats().raw).to.not.have.property('l2_items');
    });

    it('set / get: strings as UTF-8, Buffers as bytes, string and Buffer keys', async () => {
      await cache.set('greeting', 'héllo wörld');
      expect((await cache.get('greeting'))!.toString('utf8')).to.equal('héllo wörld');
      const binary = Buffer.from([0, 13, 10, 255, 128, 13, 10]);
      await cache.set('bin', binary);
      expect(await cache.get('bin')).to.deep.equal(binary);
      await cache.set('ключ', 'utf8 key');
      expect((await cache.get(Buffer.from('ключ', 'utf8')))!.toString()).to.equal('utf8 key');
      const rawKey = Buffer.from([0x6b, 0xff, 0x01]);
      await cache.set(rawKey, 'raw key');
      expect((await cache.get(rawKey))!.toString()).to.equal('raw key');
      expect(await cache.get('absent')).to.equal(undefined);
      // The caller's Buffer may be reused afterwards: the cache kept its own copy.
      binary.fill(0);
      expect(await cache.get('bin')).to.deep.equal(Buffer.from([0, 13, 10, 255, 128, 13, 10]));
    });

    it("a value returned by get stays the caller's: later writes, overwrites and deletes do not change it", async () => {
      await cache.set('kept', 'first value');
      const kept = (await cache.get('kept'))!;
      await cache.set('kept', 'other bytes');
      await cache.delete('kept');
      for (let i = 0; i < 200; i++) await cache.set('churn' + i, 'x'.repeat(11));
      expect(kept.toString()).to.equal('first value');
    });

    it('set overwrites; a value over the item size limit and a bad key are refused', async () => {
      await cache.set('over', 'one');
      await cache.set('over', 'two');
      expect((await cache.get('over'))!.toString()).to.equal('two');
      let tooBig: unknown;
      await cache.set('big', Buffer.alloc(2 * MIB)).catch((e: unknown) => (tooBig = e));
      expect(tooBig).to.be.instanceOf(RangeError);
      let badKey: unknown;
      await cache.set('k'.repeat(251), 'x').catch((e: unknown) => (badKey = e));
      expect(badKey).to.be.instanceOf(RangeError);
      await cache.set('', 'x').catch((e: unknown) => (badKey = e));
      expect(badKey).to.be.instanceOf(RangeError);
    });

    it('setWithTtl: the item is gone once its TTL has passed', async () => {
      await cache.setWithTtl('brief', 'soon gone', 1);
      await cache.setWithTtl('lasting', 'stays', 3600);
      expect(await cache.containsKey('brief')).to.equal(true);
      await sleep(1_200);
      expect(await cache.get('brief')).to.equal(undefined);
      expect(await cache.containsKey('brief')).to.equal(false);
      expect((await cache.get('lasting'))!.toString()).to.equal('stays');
    });

    it('containsKey, keys, delete', async () => {
      await cache.clear();
      await cache.set('a', '1');
      await cache.set('b', '2');
      await cache.set('ключ', '3');
      expect(await cache.containsKey('a')).to.equal(true);
      expect(await cache.containsKey('zzz')).to.equal(false);
      expect((await cache.keys()).sort()).to.deep.equal(['a', 'b', 'ключ']);
      expect(await cache.delete('a')).to.equal(true);
      expect(await cache.delete('a')).to.equal(false);
      expect(await cache.containsKey('a')).to.equal(false);
      expect((await cache.keys()).sort()).to.deep.equal(['b', 'ключ']);
    });

    it('clear removes everything', async () => {
      await cache.set('x', '1');
      await cache.clear();
      expect(await cache.keys()).to.deep.equal([]);
      expect(await cache.get('x')).to.equal(undefined);
      expect(cache.getCacheStats().items).to.equal(0);
    });

    it('setMany / getMany: only present keys come back', async () => {
      await cache.setMany([
        ['m1', 'one'],
        ['m2', Buffer.from('two')],
        [Buffer.from('m3'), 'three'],
      ]);
      const got = await cache.getMany(['m1', 'm2', 'm3', 'missing']);
      expect([...got.keys()].sort()).to.deep.equal(['m1', 'm2', 'm3']);
      expect(got.get('m2')!.toString()).to.equal('two');
      expect(got.get('m3')!.toString()).to.equal('three');
      await cache.setMany([['short', 'lived']], 1);
      await sleep(1_200);
      expect((await cache.getMany(['short', 'm1'])).has('short')).to.equal(false);
    });

    it('getCacheStats and getHitRate count the operations', async () => {
      const fresh = track(await new RatMemCacheBuilder().build());
      expect(fresh.getHitRate()).to.equal(0);
      await fresh.set('h', 'v');
      await fresh.set('h2', 'v2');
      await fresh.get('h');
      await fresh.get('h');
      await fresh.get('h2');
      await fresh.get('nope');
      expect(fresh.getHitRate()).to.equal(0.75);
      await fresh.delete('h2');
      const s = fresh.getCacheStats();
      expect(s).to.include({ hits: 3, misses: 1, sets: 2, deletes: 1, items: 1, evictions: 0 });
      expect(s.bytes).to.be.greaterThan(0);
      expect(s.raw.curr_items).to.equal(1);
      expect(s.raw.get_hits).to.equal(3);
      await fresh.shutdown();
      // A second shutdown is harmless.
      await fresh.shutdown();
    });

    it('defaultTtl applies to set without a TTL; the memory budget evicts', async () => {
      const small = track(
        await new RatMemCacheBuilder()
          .l1Config({ maxMemory: 64 * 1024, evictionStrategy: 'lru' })
          .ttlConfig({ defaultTtl: 1 })
          .build(),
      );
      for (let i = 0; i < 200; i++) await small.setWithTtl(`e${i}`, Buffer.alloc(1024, i), 0);
      const s = small.getCacheStats();
      expect(s.evictions).to.be.greaterThan(0);
      expect(s.bytes).to.be.at.most(64 * 1024);
      expect(await small.get('e0')).to.equal(undefined);
      expect(await small.get('e199')).to.deep.equal(Buffer.alloc(1024, 199));
      await small.set('default-ttl', 'v');
      expect(await small.containsKey('default-ttl')).to.equal(true);
      await sleep(1_200);
      expect(await small.containsKey('default-ttl')).to.equal(false);
    });
  });

  describe('with the disk tier', () => {
    const build = (dir: string, maxMemory = 64 * MIB): Promise<RatMemCache> =>
      new RatMemCacheBuilder()
        .l1Config({ maxMemory })
        .l2Config({ enableL2Cache: true, dataDir: dir })
        .performanceConfig({ itemSizeMax: 2 * MIB })
        .build()
        .then(track);

    it('persists every kind of write across shutdown and rebuild', async () => {
      const dir = path.join(root, 'persist');
      const big = bytesFor(1, MIB);
      let cache = await build(dir);
      expect(existsSync(dir)).to.equal(true);
      expect(cache.getCacheStats().raw).to.have.property('l2_items', 0);
      await cache.set('plain', 'value');
      await cache.set(Buffer.from([0x00, 0xfe]), Buffer.from([1, 2, 3]));
      await cache.set('big', big);
      await cache.setWithTtl('long', 'kept', 3600);
      await cache.setWithTtl('brief', 'expires', 1);
      await cache.setMany([
        ['many1', 'a'],
        ['many2', 'b'],
      ]);
      await cache.set('doomed', 'x');
      expect(await cache.delete('doomed')).to.equal(true);
      await cache.shutdown();

      cache = await build(dir);
      expect((await cache.get('plain'))!.toString()).to.equal('value');
      expect(await cache.get(Buffer.from([0x00, 0xfe]))).to.deep.equal(Buffer.from([1, 2, 3]));
      expect((await cache.get('big'))!.equals(big)).to.equal(true);
      expect((await cache.get('long'))!.toString()).to.equal('kept');
      expect(await cache.containsKey('doomed')).to.equal(false);
      const many = await cache.getMany(['many1', 'many2', 'doomed']);
      expect([...many.entries()].map(([k, v]) => `${k}=${v.toString()}`)).to.deep.equal(['many1=a', 'many2=b']);
      await sleep(1_200);
      expect(await cache.containsKey('brief')).to.equal(false);
      const keys = await cache.keys();
      expect(keys).to.include.members(['plain', 'big', 'long', 'many1', 'many2']);
      expect(keys).to.not.include('doomed');
      expect(keys).to.not.include('brief');
      const s = cache.getCacheStats();
      expect(s.items).to.equal(6);
      expect(s.raw.l2_items).to.equal(6);

      await cache.clear();
      expect(await cache.keys()).to.deep.equal([]);
      await cache.shutdown();
      cache = await build(dir);
      expect(await cache.keys(), 'clear is persistent too').to.deep.equal([]);
      expect(await cache.get('plain')).to.equal(undefined);
      await cache.shutdown();
    });

    it('serves from disk what does not fit the memory tier, before and after a rebuild', async () => {
      const dir = path.join(root, 'overflow');
      let cache = await build(dir, 64 * 1024);
      const entries: Array<[string, Buffer]> = Array.from({ length: 1000 }, (_, i) => [`o${i}`, bytesFor(i, 1024, i % 2 === 0)]);
      await cache.setMany(entries);
      const check = async (c: RatMemCache): Promise<void> => {
        const got = await c.getMany(entries.map(([k]) => k));
        expect(got.size).to.equal(1000);
        for (const [k, v] of entries) if (!got.get(k)!.equals(v)) expect.fail(`${k} differs`);
      };
      await check(cache);
      const s = cache.getCacheStats();
      expect(s.bytes, 'memory tier within its budget').to.be.at.most(64 * 1024);
      expect(s.items).to.equal(1000);
      expect(s.evictions, 'nothing was lost').to.equal(0);
      expect(cache.getHitRate()).to.equal(1);
      await cache.shutdown();
      cache = await build(dir, 64 * 1024);
      await check(cache);
      await cache.shutdown();
    });
  });
});
