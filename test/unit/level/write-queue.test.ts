import { expect } from 'chai';
import { makeItem } from '../../../src/domain/item.js';
import { CounterCeiling } from '../../../src/adapters/level/counter-ceiling.js';
import { WriteBatch, type LevelOp } from '../../../src/adapters/level/write-batch.js';
import { GATHER_MS, QUEUED_OP_OVERHEAD, WriteQueue } from '../../../src/adapters/level/write-queue.js';
import { batchPath } from '../../../src/adapters/level/batch-writer.js';
import { RecordingLogger, LevelFixture } from './level-fixture.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Past the gathering delay of a small batch. */
const gathered = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, GATHER_MS * 5));

/** A database whose batches complete only when the test says so. */
class GatedDb {
  readonly applied: LevelOp[][] = [];
  private gates: Array<() => void> = [];
  write = (batch: WriteBatch): Promise<void> =>
    new Promise((resolve) => {
      this.gates.push(() => {
        this.applied.push(batch.toOps());
        resolve();
      });
    });
  clear = async (): Promise<void> => {};
  get waiting(): number {
    return this.gates.length;
  }
  release(): void {
    this.gates.shift()?.();
  }
}

function put(q: WriteQueue, key: string, bytes: number): void {
  q.enqueue(key, Buffer.alloc(bytes));
}

describe('WriteQueue', () => {
  it('says full past its budget, and resolves drained() once the batch in flight is applied', async () => {
    const db = new GatedDb();
    const q = new WriteQueue({ sync: false, limitBytes: 10_000, maxBatchBytes: 4096 }, new CounterCeiling(), new RecordingLogger());
    q.attach(db);
    put(q, 'a', 3000);
    await tick(); // 'a' goes out alone
    expect(db.waiting).to.equal(1);
    for (let i = 0; i < 3; i++) put(q, `b${i}`, 3000);
    expect(q.full).to.equal(true);
    let drained = false;
    void q.drained().then(() => (drained = true));
    expect(q.stats().items).to.equal(4);
    const opBytes = (key: string): number => key.length + 3000 + QUEUED_OP_OVERHEAD;
    expect(q.stats().bytes).to.equal(opBytes('a') + 3 * opBytes('b0'));
    db.release();
    await tick();
    expect(q.full).to.equal(false);
    expect(drained).to.equal(true);
    await gathered();
    expect(db.waiting).to.equal(1);
    while (db.waiting > 0) {
      db.release();
      await gathered();
    }
    // A batch stops taking ops once it holds maxBatchBytes: b2 went into a batch of its own.
    expect(db.applied.map((ops) => ops.map((op) => op.key.toString()))).to.deep.equal([['a'], ['b0', 'b1'], ['b2']]);
    expect(q.stats().bytes).to.equal(0);
    expect(q.stats().peakBytes).to.equal(opBytes('a') + 3 * opBytes('b0'));
  });

  it('coalesces a second write of a key into the same unsent batch, and reads see the newest', async () => {
    const db = new GatedDb();
    const q = new WriteQueue({ sync: false, limitBytes: 0, maxBatchBytes: 1 << 20 }, new CounterCeiling(), new RecordingLogger());
    q.attach(db);
    put(q, 'k', 10);
    put(q, 'other', 10);
    put(q, 'k', 20);
    expect(q.lookup('k')!.record!.length).to.equal(20);
    expect(q.stats().items).to.equal(2);
    expect(q.stats().coalesced).to.equal(1);
    await tick();
    db.release();
    await q.flush();
    expect(db.applied).to.have.length(1);
    expect(db.applied[0]!.map((op) => [op.key.toString(), op.type === 'put' ? op.value.length : -1])).to.deep.equal([
      ['k', 20],
      ['other', 10],
    ]);
    expect(q.lookup('k')).to.equal(undefined);
    expect(q.full).to.equal(false);
  });

  it('sends a small batch at once when something waits on it: sync writes, or flush()', async () => {
    for (const sync of [true, false]) {
      const db = new GatedDb();
      const q = new WriteQueue({ sync, limitBytes: 0, maxBatchBytes: 1 << 20 }, new CounterCeiling(), new RecordingLogger());
      q.attach(db);
      put(q, 'a', 10);
      await tick();
      expect(db.waiting, 'first write goes out on the next turn').to.equal(1);
      put(q, 'b', 10);
      db.release();
      if (!sync) void q.flush();
      await tick();
      expect(db.waiting, `sync ${sync}: the next small batch is not held back`).to.equal(1);
      db.release();
      await q.flush();
      expect(db.applied.map((ops) => ops.map((op) => op.key.toString()))).to.deep.equal([['a'], ['b']]);
    }
  });

  it('applies a trickle of small batches without sync (held back for the gathering delay), in order', async () => {
    const db = new GatedDb();
    const q = new WriteQueue({ sync: false, limitBytes: 0, maxBatchBytes: 1 << 20 }, new CounterCeiling(), new RecordingLogger());
    q.attach(db);
    const auto = setInterval(() => db.release(), 0);
    try {
      for (let i = 0; i < 40; i++) {
        put(q, `k${i}`, 10);
        await tick();
      }
      const deadline = Date.now() + 2000;
      while (q.stats().items > 0 && Date.now() < deadline) await gathered();
    } finally {
      clearInterval(auto);
    }
    expect(q.stats().items).to.equal(0);
    const applied = db.applied.flat().map((op) => op.key.toString());
    expect(applied).to.deep.equal(Array.from({ length: 40 }, (_, i) => `k${i}`));
  });
});

describe('batch path (native write batch)', () => {
  it("uses the database's own write batch on the supported level release", async () => {
    const fx = await LevelFixture.create();
    try {
      const s = await fx.store();
      await s.set(makeItem('k', Buffer.from('v'), 0, 0, 1));
      expect(s.l2Stats().batchFallbacks).to.equal(0);
      expect(fx.logger.lines.filter((l) => /native write batch/.test(l.msg ?? ''))).to.deep.equal([]);
    } finally {
      await fx.cleanup();
    }
  });

  it('falls back to batch() loudly when the native batch is missing: one warning, every batch counted', async () => {
    const logger = new RecordingLogger();
    const seen: LevelOp[][] = [];
    const db = { batch: async (ops: LevelOp[]): Promise<void> => void seen.push(ops) };
    const path = batchPath(db, logger);
    expect(path.fast).to.equal(false);
    for (const key of ['a', 'b']) {
      const batch = new WriteBatch();
      batch.add(key, undefined);
      await path.write(batch, { sync: false });
    }
    expect(seen.map((ops) => ops.map((op) => [op.type, op.key.toString()]))).to.deep.equal([[['del', 'a']], [['del', 'b']]]);
    expect(path.fallbacks).to.equal(2);
    expect(logger.at('warn').filter((l) => /native write batch/.test(l.msg ?? ''))).to.have.length(1);
  });
});
