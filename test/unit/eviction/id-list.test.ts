import { expect } from 'chai';
import { IdLinks, IdList, NONE } from '../../../src/adapters/eviction/id-list.js';

/** Ids from head (newest) to tail (oldest), checking the links both ways. */
function ids(list: IdList): number[] {
  const out: number[] = [];
  for (let id = list.head; id !== NONE; id = list.olderThan(id)) out.push(id);
  const back: number[] = [];
  for (let id = list.tail; id !== NONE; id = list.newerThan(id)) back.push(id);
  expect(back.reverse(), 'backward walk').to.deep.equal(out);
  expect(list.length, 'length').to.equal(out.length);
  return out;
}

describe('IdList', () => {
  it('pushes at the head, pops at the tail, unlinks and moves in the middle', () => {
    const list = new IdList(new IdLinks());
    for (const id of [3, 1, 4, 5]) list.pushHead(id);
    expect(ids(list)).to.deep.equal([5, 4, 1, 3]);
    list.moveToHead(1);
    list.unlink(4);
    expect(ids(list)).to.deep.equal([1, 5, 3]);
    expect(list.popTail()).to.equal(3);
    expect(list.popTail()).to.equal(5);
    expect(list.popTail()).to.equal(1);
    expect(list.popTail()).to.equal(NONE);
    expect(ids(list)).to.deep.equal([]);
  });

  it('lets lists share one IdLinks as long as an id is in one list at a time', () => {
    const links = new IdLinks();
    const a = new IdList(links);
    const b = new IdList(links);
    for (const id of [0, 1, 2]) a.pushHead(id);
    for (const id of [3, 4]) b.pushHead(id);
    a.unlink(1);
    b.pushHead(1);
    expect(ids(a)).to.deep.equal([2, 0]);
    expect(ids(b)).to.deep.equal([1, 4, 3]);
  });

  it('keeps lists intact across growth of the shared links', () => {
    const links = new IdLinks(4);
    const list = new IdList(links);
    for (let id = 0; id < 4; id++) list.pushHead(id);
    links.grow(1000);
    expect(links.capacity).to.equal(1000);
    expect(links.prev[999]).to.equal(NONE);
    expect(links.next[999]).to.equal(NONE);
    list.pushHead(999);
    expect(ids(list)).to.deep.equal([999, 3, 2, 1, 0]);
  });
});

describe('IdList.appendOlder', () => {
  it('splices the other list behind the tail, keeping order, and empties it', () => {
    const links = new IdLinks();
    const a = new IdList(links);
    const b = new IdList(links);
    for (const id of [2, 1]) a.pushHead(id);
    for (const id of [12, 11]) b.pushHead(id);
    a.appendOlder(b);
    expect(ids(a)).to.deep.equal([1, 2, 11, 12]);
    expect(a.popTail()).to.equal(12);
    expect(a.tail).to.equal(11);
    expect(ids(b)).to.deep.equal([]);
    expect(b.head).to.equal(NONE);
  });

  it('adopts the other list when empty and ignores itself', () => {
    const links = new IdLinks();
    const a = new IdList(links);
    const b = new IdList(links);
    b.pushHead(7);
    a.appendOlder(b);
    a.appendOlder(a);
    expect(ids(a)).to.deep.equal([7]);
  });
});
