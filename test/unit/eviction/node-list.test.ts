import { expect } from 'chai';
import { NodeList } from '../../../src/adapters/eviction/node-list.js';
import { node } from './harness.js';

function keys(list: NodeList): string[] {
  const out: string[] = [];
  for (let n = list.head; n !== null; n = n.next) out.push(n.key);
  return out;
}

describe('NodeList.appendOlder', () => {
  it('splices the other list behind the tail, keeping order, and empties it', () => {
    const a = new NodeList();
    const b = new NodeList();
    for (const k of ['a2', 'a1']) a.pushHead(node(k));
    for (const k of ['b2', 'b1']) b.pushHead(node(k));
    a.appendOlder(b);
    expect(keys(a)).to.deep.equal(['a1', 'a2', 'b1', 'b2']);
    expect(a.length).to.equal(4);
    expect(a.popTail()?.key).to.equal('b2');
    expect(a.tail?.key).to.equal('b1');
    expect(b.length).to.equal(0);
    expect(b.head).to.equal(null);
  });

  it('adopts the other list when empty and ignores itself', () => {
    const a = new NodeList();
    const b = new NodeList();
    b.pushHead(node('x'));
    a.appendOlder(b);
    a.appendOlder(a);
    expect(keys(a)).to.deep.equal(['x']);
    expect(a.length).to.equal(1);
  });
});
