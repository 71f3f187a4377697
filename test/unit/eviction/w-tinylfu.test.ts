import { expect } from 'chai';
import { WTinyLfuPolicy } from '../../../bench/eviction/candidates/w-tinylfu-policy.js';
import { PolicyHarness } from './harness.js';

// A benchmark-only candidate (not registered), tested so its numbers in docs/eviction.md mean something.
describe('WTinyLfuPolicy', () => {
  it('rejects a cold candidate against a hot victim', () => {
    const h = new PolicyHarness((e) => new WTinyLfuPolicy(e, 1000), 1000);
    for (let i = 0; i < 9; i++) {
      h.put(`hot${i}`, 100);
      h.get(`hot${i}`, 5);
    }
    h.put('cold1', 100);
    h.put('cold2', 100);
    expect(h.evicted).to.deep.equal(['cold1']);
    for (let i = 0; i < 9; i++) expect(h.has(`hot${i}`)).to.equal(true);
  });

  it('admits a hot candidate over a cold victim', () => {
    const h = new PolicyHarness((e) => new WTinyLfuPolicy(e, 1000), 1000);
    h.put('cold', 100);
    for (let i = 0; i < 8; i++) {
      h.put(`hot${i}`, 100);
      h.get(`hot${i}`, 5);
    }
    h.put('rising', 100);
    h.get('rising', 5);
    h.put('next', 100);
    expect(h.evicted).to.deep.equal(['cold']);
    expect(h.has('rising')).to.equal(true);
  });

  it('filters a scan the same way when unbounded (capacityBytes 0)', () => {
    const h = new PolicyHarness((e) => new WTinyLfuPolicy(e, 0), 1000, 0);
    for (let i = 0; i < 9; i++) {
      h.put(`hot${i}`, 100);
      h.get(`hot${i}`, 5);
    }
    for (let i = 0; i < 100; i++) h.put(`scan${i}`, 100);
    for (let i = 0; i < 9; i++) expect(h.has(`hot${i}`)).to.equal(true);
  });
});
