import { expect } from 'chai';
import { makeItem } from '../../../src/domain/item.js';
import { isPromise } from '../../../src/domain/maybe-promise.js';
import { RESERVE } from '../../../src/adapters/level/counter-ceiling.js';
import { META_KEY, decodeMeta, encodeMeta } from '../../../src/adapters/level/record-codec.js';
import { LevelFixture } from './level-fixture.js';

const N = 20_000;
const key = (i: number): string => `key:${String(i).padStart(6, '0')}`;
const value = (i: number): Buffer => Buffer.from(`value ${i} `.repeat(3), 'latin1');

describe('LevelCacheStore open scan in the background', () => {
  let fx: LevelFixture;

  beforeEach(async () => {
    fx = await LevelFixture.create();
    const s = await fx.store();
    const writes = [];
    for (let i = 0; i < N; i++) writes.push(s.set(makeItem(key(i), value(i), i, 0, i + 1)));
    await Promise.all(writes);
    await s.stop();
  });

  afterEach(async () => {
    await fx.cleanup();
  });

  it('serves every key while the scan runs, keeps what clients write and delete meanwhile, and counts exactly at the end', async () => {
    const s = await fx.store({}, true);
    expect(s.l2Stats().scan.running, 'scan still running right after start').to.equal(true);
    expect(s.stats().items).to.be.below(N);
    // Keys at the end of the key order: the scan reaches them last.
    const deleted = [N - 1, N - 2, N - 3].map(key);
    const rewritten = [N - 4, N - 5].map(key);
    const added = ['zz:new1', 'zz:new2'];
    for (const k of deleted) expect(await s.delete(k), `delete ${k}`).to.equal(true);
    for (const k of rewritten) await s.set(makeItem(k, Buffer.from('fresh'), 7, 0, N + 100));
    for (const k of added) await s.set(makeItem(k, Buffer.from('new'), 8, 0, N + 101));
    expect(s.l2Stats().scan.running, 'writes were made during the scan').to.equal(true);
    // Unindexed keys are read from LevelDB, synchronously.
    for (const i of [0, 1234, N - 10, N - 6]) {
      const got = s.get(key(i));
      expect(isPromise(got)).to.equal(false);
      const item = got as { value: Buffer; flags: number; cas: number };
      expect(item.value.equals(value(i)), key(i)).to.equal(true);
      expect(item.flags).to.equal(i);
      expect(item.cas).to.equal(i + 1);
    }
    for (const k of deleted) expect(await s.get(k), k).to.equal(undefined);
    expect(await s.delete(deleted[0]!)).to.equal(false);
    await s.indexed();
    expect(s.l2Stats().scan.running).to.equal(false);
    // Counted before any read (a read of a wrongly indexed key would repair the index).
    expect(s.stats().items).to.equal(N - deleted.length + added.length);
    const keys = new Set<string>();
    for await (const k of s.keys()) keys.add(k);
    expect(keys.size).to.equal(N - deleted.length + added.length);
    for (const k of deleted) expect(keys.has(k), `${k} listed after the scan`).to.equal(false);
    for (const k of deleted) expect(await s.get(k), `${k} after the scan`).to.equal(undefined);
    for (const k of rewritten) expect((await s.get(k))!.value.toString()).to.equal('fresh');
    for (const k of added) expect((await s.get(k))!.value.toString()).to.equal('new');
    // Write order: what clients wrote during the scan is the newest.
    const newest: string[] = [];
    for await (const item of s.warmEntries(100 * 1024 * 1024)) {
      newest.push(item.key);
      if (newest.length === 4) break;
    }
    expect(newest.sort()).to.deep.equal([...rewritten, ...added].sort());
  });

  it('serves writes and deletes between the slices of the end step: they are the newest, nothing deleted comes back, counts are exact', async () => {
    const s = await fx.store({}, true);
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    let indexed = false;
    void s.indexed().then(() => (indexed = true));
    while (s.l2Stats().scan.running) await turn();
    // The scan has read everything; the end step (20,000 entries: several slices) rebuilds write order now.
    expect(indexed, 'the end step runs in slices').to.equal(false);
    const written: string[] = [];
    const deleted: string[] = [];
    const pending: Promise<unknown>[] = [];
    // A few writes and deletes per turn, not awaited one by one: the step leaves few turns.
    for (let i = 0; !indexed; i++) {
      for (let j = 0; j < 4; j++) {
        const k = key(((i * 4 + j) * 7919) % N);
        if (j % 2 === 1) {
          pending.push(Promise.resolve(s.delete(k)).then((gone) => expect(gone, k).to.equal(true)));
          deleted.push(k);
        } else {
          pending.push(Promise.resolve(s.set(makeItem(k, Buffer.from(`during ${i}`), 1, 0, N + 1000 + i * 4 + j))));
          written.push(k);
        }
      }
      await turn();
    }
    await Promise.all(pending);
    expect(written.length, 'writes made between slices').to.be.above(1);
    expect(deleted.length, 'deletes made between slices').to.be.above(0);
    expect(s.stats().items).to.equal(N - deleted.length);
    for (const k of deleted) expect(await s.get(k), k).to.equal(undefined);
    const newest: string[] = [];
    for await (const item of s.warmEntries(100 * 1024 * 1024)) {
      newest.push(item.key);
      if (newest.length === written.length) break;
    }
    // Most recent first, in the order they were written.
    expect(newest).to.deep.equal([...written].reverse());
  });

  it('a clear during the scan stops it: nothing it had not reached comes back', async () => {
    const s = await fx.store({}, true);
    expect(s.l2Stats().scan.running).to.equal(true);
    await s.clear();
    await s.set(makeItem('after', Buffer.from('v'), 0, 0, N + 1));
    await s.indexed();
    expect(s.stats().items).to.equal(1);
    expect(await s.get(key(N - 1))).to.equal(undefined);
    await s.stop();
    const again = await fx.store();
    expect(again.stats().items).to.equal(1);
  });

  it('reserves cas values above every record before accepting writes, and records the exact ceiling on stop', async () => {
    let raw = await fx.raw();
    expect(decodeMeta((await raw.get(META_KEY))!)).to.deep.equal({ casCeiling: N, seqCeiling: N, legacy: false });
    await raw.close();
    const s = await fx.store({}, true);
    expect(s.maxCas()).to.equal(N);
    await s.stop();
    // A crash after the reservation: the ceiling on disk is above anything that can have been issued.
    raw = await fx.raw();
    await raw.put(META_KEY, encodeMeta(N + RESERVE, N + RESERVE));
    await raw.close();
    const crashed = await fx.store({}, true);
    expect(crashed.maxCas()).to.equal(N + RESERVE);
    await crashed.stop();
  });

  it('scans a data dir without ceilings (an older version) before start returns, then writes them', async () => {
    let raw = await fx.raw();
    await raw.del(META_KEY);
    await raw.close();
    const s = await fx.store({}, true);
    expect(s.l2Stats().scan.running).to.equal(false);
    expect(s.stats().items).to.equal(N);
    expect(s.maxCas()).to.equal(N);
    await s.stop();
    raw = await fx.raw();
    expect(decodeMeta((await raw.get(META_KEY))!).legacy).to.equal(false);
    await raw.close();
  });
});
