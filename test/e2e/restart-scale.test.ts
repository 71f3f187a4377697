import { expect } from 'chai';
import { bytesFor, childServerScope, type ChildServer, fetchAll, pipeline, setCommand, statsOf, statsWhenIndexed } from '../support/child-server.js';

/** Enough items that the open scan is still running when the first client connects (ADR 0017). */
const ITEMS = 250_000;
const key = (i: number): string => `restart:${String(i).padStart(7, '0')}`;
const value = (i: number): Buffer => bytesFor(i + 1, 100);
const flagsOf = (i: number): number => (Math.imul(i, 2654435761) >>> 0) % 0x1_0000_0000;

describe('e2e: restart of a large data dir (CLI child process)', function () {
  this.timeout(120_000);
  const scope = childServerScope('rat-restart-');
  const start = (dir: string): Promise<ChildServer> => scope.start(['--l2', 'on', '--data-dir', dir, '-m', '8']);

  it('accepts at once, serves every item while the index is rebuilt, and writes made meanwhile win over the scan', async () => {
    const dir = scope.dir('data');
    const first = await start(dir);
    const c = await first.connect();
    const commands: Buffer[] = [];
    for (let i = 0; i < ITEMS; i++) commands.push(setCommand(key(i), flagsOf(i), 0, value(i)));
    const replies = await pipeline(c, commands, 1000);
    expect(replies.filter((r) => r !== 'STORED').length, 'non-STORED replies').to.equal(0);
    expect((await first.stop('SIGTERM')).code).to.equal(0);

    const second = await start(dir);
    const c2 = await second.connect();
    const scanning = async (): Promise<boolean> => (await statsOf(c2)).get('l2_scan_running') === '1';
    expect(await scanning(), 'the index scan still runs when the first client is served').to.equal(true);

    // Writes to keys at the end of the key order, which the scan reaches last.
    const deleted = Array.from({ length: 10 }, (_, n) => ITEMS - 1 - n);
    const rewritten = Array.from({ length: 10 }, (_, n) => ITEMS - 20 - n);
    const written = await pipeline(c2, [
      ...deleted.map((i) => Buffer.from(`delete ${key(i)}\r\n`)),
      ...rewritten.map((i) => setCommand(key(i), 7, 0, Buffer.from(`fresh ${i}`))),
    ]);
    expect(written).to.deep.equal([...deleted.map(() => 'DELETED'), ...rewritten.map(() => 'STORED')]);
    expect(await scanning(), 'the writes were made while the scan ran').to.equal(true);

    // Random reads, byte-exact with flags; at least one whole batch must fall inside the scan.
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % (ITEMS - 40);
    };
    let batchesDuringScan = 0;
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 100 }, random);
      if (round === 0) ids.push(0, ITEMS - 40);
      const before = await scanning();
      const got = await fetchAll(c2, ids.map(key));
      if (before && (await scanning())) batchesDuringScan++;
      for (const i of ids) {
        const r = got.get(key(i));
        expect(r, `${key(i)} served`).to.not.equal(undefined);
        expect(r!.flags, `flags of ${key(i)}`).to.equal(flagsOf(i));
        if (!r!.value.equals(value(i))) expect.fail(`value of ${key(i)} differs`);
      }
    }
    expect(batchesDuringScan, 'batches of reads served entirely during the scan').to.be.greaterThan(0);
    expect(await fetchAll(c2, deleted.map(key)), 'deleted during the scan').to.have.property('size', 0);

    const s = await statsWhenIndexed(c2);
    console.log(`      ${batchesDuringScan} of 20 read batches during the scan; ${s.get('l2_scan_items')} records scanned`);
    expect(Number(s.get('curr_items'))).to.equal(ITEMS - deleted.length);
    expect(Number(s.get('l2_items'))).to.equal(ITEMS - deleted.length);
    expect(await fetchAll(c2, deleted.map(key)), 'deleted keys stay deleted after the scan').to.have.property('size', 0);
    const fresh = await fetchAll(c2, rewritten.map(key));
    for (const i of rewritten) expect(fresh.get(key(i))?.value.toString(), key(i)).to.equal(`fresh ${i}`);
    expect((await second.stop('SIGTERM')).code).to.equal(0);
  });
});
