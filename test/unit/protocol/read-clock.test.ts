import { expect } from 'chai';
import { ReadClock } from '../../../src/adapters/protocol/read-clock.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const busyWait = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: the clock must move while no read happens
  }
};

describe('ReadClock', () => {
  it('starts a read where the previous batch of the same event-loop iteration ended', () => {
    const clock = new ReadClock();
    const first = clock.start();
    busyWait(2);
    const end = clock.end();
    expect(end - first).to.be.at.least(2);
    busyWait(2);
    expect(clock.start(), 'the next read in this iteration').to.equal(end);
  });

  it('reads the clock again for the first read of the next iteration', async () => {
    const clock = new ReadClock();
    const end = clock.end();
    await nextTurn();
    busyWait(2);
    expect(clock.start() - end).to.be.at.least(2);
  });

  it('ticks whole seconds once started, with one timer however often it is asked', async function () {
    this.timeout(8000);
    const clock = new ReadClock();
    const t0 = performance.now();
    clock.tickSeconds();
    clock.tickSeconds();
    expect(clock.seconds).to.equal(0);
    while (clock.seconds < 2 && performance.now() - t0 < 6000) await new Promise((resolve) => setTimeout(resolve, 20));
    // Two timers would reach 2 after one second.
    expect(clock.seconds).to.equal(2);
    expect(performance.now() - t0).to.be.at.least(1990);
  });
});
