import { expect } from 'chai';
import { IdleHeapTrim, type HeapTrimProbe } from '../../../src/infrastructure/idle-heap-trim.js';

const MIB = 2 ** 20;

/** A probe the test steers: CPU used since the last check and the heap's slack. */
class SteeredProbe implements HeapTrimProbe {
  cpu = 0;
  slack = 0;
  collected = 0;
  failing = false;
  cpuMicros(): number {
    return this.cpu;
  }
  heapSlackBytes(): number {
    return this.slack;
  }
  collect(): Promise<void> {
    this.collected++;
    return this.failing ? Promise.reject(new Error('no gc here')) : Promise.resolve();
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A started trim over `probe` (checks driven by the test: its own timer waits a minute), stopped after `body`. */
async function withTrim(probe: SteeredProbe, body: (trim: IdleHeapTrim) => Promise<void>): Promise<void> {
  const trim = new IdleHeapTrim({ checkMs: 60_000, probe });
  trim.start();
  try {
    await body(trim);
  } finally {
    trim.stop();
  }
}

describe('IdleHeapTrim', () => {
  it('collects once the heap is grown and the process has been idle for two checks, then not again until it shrank', async () => {
    const probe = new SteeredProbe();
    await withTrim(probe, async (trim) => {
      probe.slack = 30 * MIB;
      trim.check();
      expect(probe.collected, 'one idle check is not enough').to.equal(0);
      trim.check();
      await settle();
      expect(probe.collected).to.equal(1);
      expect(trim.collections).to.equal(1);
      trim.check();
      trim.check();
      await settle();
      expect(probe.collected, 'still grown: at most once per growth').to.equal(1);
      probe.slack = 1 * MIB;
      trim.check();
      probe.slack = 30 * MIB;
      trim.check();
      await settle();
      expect(probe.collected, 'grown again after shrinking').to.equal(2);
    });
  });

  it('waits while the process is busy', async () => {
    const probe = new SteeredProbe();
    await withTrim(probe, async (trim) => {
      probe.slack = 30 * MIB;
      for (let i = 0; i < 4; i++) {
        // a whole CPU busy since the last check
        probe.cpu += 10_000_000;
        trim.check();
      }
      await settle();
      expect(probe.collected).to.equal(0);
      trim.check();
      trim.check();
      await settle();
      expect(probe.collected).to.equal(1);
    });
  });

  it('leaves a heap that is not grown alone', async () => {
    const probe = new SteeredProbe();
    await withTrim(probe, async (trim) => {
      probe.slack = 2 * MIB;
      for (let i = 0; i < 5; i++) trim.check();
      await settle();
      expect(probe.collected).to.equal(0);
    });
  });

  it('stops for good when the runtime cannot collect', async () => {
    const probe = new SteeredProbe();
    probe.failing = true;
    const trim = new IdleHeapTrim({ checkMs: 60_000, probe });
    trim.start();
    probe.slack = 30 * MIB;
    trim.check();
    trim.check();
    await settle();
    expect(probe.collected).to.equal(1);
    expect(trim.collections).to.equal(0);
  });

  it('runs a real full collection on this Node without --expose-gc', async function () {
    this.timeout(10_000);
    const trim = new IdleHeapTrim({ checkMs: 60_000 });
    // Made in a function of its own so that nothing in this one refers to the object.
    const ref = ((): WeakRef<object> => new WeakRef({ big: new Array(1000).fill(0) }))();
    // A WeakRef keeps its target alive until the end of the job that made it.
    await new Promise((r) => setTimeout(r, 10));
    // A grown heap and an idle process, as after a burst: a real young generation grows only
    // under load, so the checks see the slack the test reports instead.
    const real = trim as unknown as { probe: HeapTrimProbe };
    const realProbe = real.probe;
    real.probe = { cpuMicros: () => 0, heapSlackBytes: () => 30 * MIB, collect: () => realProbe.collect() };
    trim.start();
    try {
      trim.check();
      trim.check();
      for (let i = 0; i < 50 && trim.collections === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(trim.collections).to.equal(1);
      expect(ref.deref(), 'the unreachable object is gone after the collection').to.equal(undefined);
    } finally {
      trim.stop();
    }
  });
});
