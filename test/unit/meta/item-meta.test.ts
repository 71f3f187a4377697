import { expect } from 'chai';
import { ItemMetaTable } from '../../../src/application/item-meta.js';

describe('ItemMetaTable', () => {
  it('bits belong to one version of an item: another cas reads as clean', () => {
    const t = new ItemMetaTable();
    t.stored('k', 5, 1000, true, true);
    expect(t.get('k', 5)).to.include({ stale: true, tokenSent: true });
    expect(t.get('k', 6)).to.equal(undefined);
    // The mismatch dropped the old record.
    expect(t.get('k', 5)).to.equal(undefined);
  });

  it('records fetches only while tracking', () => {
    const t = new ItemMetaTable();
    t.fetched('k', 1, 1000);
    expect(t.size).to.equal(0);
    t.tracking = true;
    t.fetched('k', 1, 2000);
    expect(t.get('k', 1)).to.include({ fetched: true, lastAccessMs: 2000 });
  });

  it('is bounded: the oldest record goes first', () => {
    const t = new ItemMetaTable(3);
    for (let i = 0; i < 5; i++) t.stored('k' + i, 1, 0, true);
    expect(t.size).to.equal(3);
    expect(t.get('k0', 1)).to.equal(undefined);
    expect(t.get('k4', 1)).to.not.equal(undefined);
  });
});
