import { expect } from 'chai';
import { WarmUpProgress } from '../../../src/infrastructure/warm-up-progress.js';
import type { Logger } from '../../../src/domain/ports/logger.js';

/** A logger that keeps what it is given. */
function recordingLogger(): Logger & { lines: { msg: string; obj: Record<string, number> }[] } {
  const lines: { msg: string; obj: Record<string, number> }[] = [];
  const keep = (obj: object, msg?: string) => void lines.push({ msg: msg ?? '', obj: obj as Record<string, number> });
  return { lines, info: keep, warn: keep, error: keep, debug: keep, isLevelEnabled: () => true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WarmUpProgress', () => {
  it('logs start, progress with items, bytes, rate and ETA, and the end; stats figures follow', async () => {
    const state = { loaded: 0, bytes: 0, running: true };
    const log = recordingLogger();
    const p = new WarmUpProgress({ warmProgress: () => ({ ...state }) }, () => ({ memoryBytes: 1000, diskBytes: 4000 }), log, { tickMs: 5, logEveryTicks: 2 });
    await p.start();
    expect(log.lines[0]).to.deep.equal({ msg: 'L1 warm-up from L2 started', obj: { targetBytes: 1000 } });
    for (let i = 1; i <= 5; i++) {
      state.loaded = i * 10;
      state.bytes = i * 100;
      await sleep(20);
    }
    const progress = log.lines.filter((l) => l.msg === 'L1 warm-up from L2 progress');
    expect(progress.length).to.be.greaterThan(0);
    const last = progress[progress.length - 1]!.obj;
    expect(last).to.have.keys('items', 'bytes', 'targetBytes', 'itemsPerSecond', 'bytesPerSecond', 'etaSeconds');
    expect(last.bytesPerSecond).to.be.greaterThan(0);
    expect(last.etaSeconds).to.be.greaterThan(0);
    const running = p.figures();
    expect(running).to.include({ bytes: 500, targetBytes: 1000 });
    expect(running.etaSeconds).to.be.greaterThan(0);
    state.running = false;
    await sleep(30);
    const done = log.lines.filter((l) => l.msg === 'L1 warm-up from L2 done');
    expect(done).to.have.length(1);
    expect(done[0]!.obj).to.include({ items: 50, bytes: 500 });
    expect(p.figures().etaSeconds).to.equal(0);
    await p.stop();
  });

  it('says nothing when there is no warm-up', async () => {
    const log = recordingLogger();
    const p = new WarmUpProgress({ warmProgress: () => ({ loaded: 0, bytes: 0, running: false }) }, () => ({ memoryBytes: 1000, diskBytes: 0 }), log);
    await p.start();
    await p.stop();
    expect(log.lines).to.deep.equal([]);
    expect(p.figures()).to.deep.equal({ bytes: 0, targetBytes: 0, bytesPerSecond: 0, etaSeconds: 0 });
  });
});
