import { expect } from 'chai';
import { LATENCY_BUCKETS_MS } from '../../../src/application/request-latency.js';
import { ServerStats } from '../../../src/application/server-stats.js';

describe('RequestLatency', () => {
  const family = (s: ServerStats, name: string) => s.latency.snapshot().find((h) => h.family === name)!;

  it('observes each command counted since the last record once, in the bucket of the batch time', () => {
    const s = new ServerStats();
    s.cmd_get += 3;
    s.cmd_set += 1;
    s.latency.record(0.3); // 0.25 < 0.3 <= 0.5
    s.delete_misses += 2;
    s.incr_hits += 1;
    s.decr_misses += 1;
    s.latency.record(2000); // beyond the last bound: +Inf
    const get = family(s, 'get');
    expect(get.count).to.equal(3);
    expect(get.buckets[LATENCY_BUCKETS_MS.indexOf(0.5)]).to.equal(3);
    expect(get.sumMs).to.be.closeTo(0.9, 1e-9);
    expect(family(s, 'set').count).to.equal(1);
    expect(family(s, 'delete').buckets[LATENCY_BUCKETS_MS.length]).to.equal(2);
    expect(family(s, 'incr_decr').count).to.equal(2);
    expect(family(s, 'touch').count).to.equal(0);
  });

  it('records nothing when nothing was counted, and survives stats reset', () => {
    const s = new ServerStats();
    s.cmd_get = 10;
    s.latency.record(0.01);
    s.latency.record(5);
    expect(family(s, 'get').count).to.equal(10);
    s.reset();
    expect(s.latency, 'reset keeps the histograms').to.not.equal(undefined);
    s.cmd_get = 2;
    s.latency.record(0.01);
    expect(family(s, 'get').count).to.equal(12);
    expect(family(s, 'get').buckets[0]).to.equal(12);
  });

  it('keeps connections per protocol as a gauge that stats reset leaves alone', () => {
    const s = new ServerStats();
    s.protocolConnection('ascii', 1);
    s.protocolConnection('ascii', 1);
    s.protocolConnection('binary', 1);
    s.protocolConnection('ascii', -1);
    s.reset();
    expect(Object.fromEntries(s.connectionsByProtocol)).to.deep.equal({ ascii: 1, binary: 1 });
  });
});
