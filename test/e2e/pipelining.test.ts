import { expect } from 'chai';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { sendAndEnd } from '../support/tcp-client.js';

describe('e2e: pipelining', function () {
  this.timeout(20_000);
  let srv: E2EServer;
  before(async () => {
    srv = await startE2EServer();
  });
  after(async () => {
    await srv.stop();
  });

  it('1,000 mixed commands in one write get 1,000 replies in order', async () => {
    const model = new Map<string, string>();
    const prefix = `pipe:${process.pid}:`;
    let request = '';
    const replies: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const k = prefix + (i % 37);
      switch (i % 6) {
        case 0: {
          const v = String(i);
          request += `set ${k} 0 0 ${v.length}\r\n${v}\r\n`;
          model.set(k, v);
          replies.push('STORED\r\n');
          break;
        }
        case 1: {
          const v = model.get(k);
          request += `get ${k}\r\n`;
          replies.push(v === undefined ? 'END\r\n' : `VALUE ${k} 0 ${v.length}\r\n${v}\r\nEND\r\n`);
          break;
        }
        case 2: {
          const v = model.get(k);
          request += `incr ${k} 3\r\n`;
          if (v === undefined) replies.push('NOT_FOUND\r\n');
          else {
            const n = (BigInt(v.trim()) + 3n).toString();
            model.set(k, n.length < v.length ? n.padEnd(v.length, ' ') : n);
            replies.push(n + '\r\n');
          }
          break;
        }
        case 3:
          request += `delete ${k}\r\n`;
          replies.push(model.delete(k) ? 'DELETED\r\n' : 'NOT_FOUND\r\n');
          break;
        case 4:
          request += `add ${k} 0 0 1\r\na\r\n`;
          if (model.has(k)) replies.push('NOT_STORED\r\n');
          else {
            model.set(k, 'a');
            replies.push('STORED\r\n');
          }
          break;
        default:
          request += 'version\r\n';
          replies.push('VERSION 1.6.18\r\n');
      }
    }
    expect(replies).to.have.length(1000);
    const expected = replies.join('');
    const c = await srv.connect();
    c.send(request);
    const got = (await c.readBytes(expected.length)).toString('latin1');
    expect(got.length).to.equal(expected.length);
    expect(got === expected, 'replies differ from the model').to.equal(true);
    expect(await c.drain(50)).to.equal('');
  });

  it('answers requests whose FIN follows them at once (replies deferred to the end of the poll phase still go out)', async () => {
    const prefix = `fin:${process.pid}:`;
    const request = `set ${prefix}a 0 0 2\r\nhi\r\nget ${prefix}a\r\nversion\r\n`;
    const expected = `STORED\r\nVALUE ${prefix}a 0 2\r\nhi\r\nEND\r\nVERSION 1.6.18\r\n`;
    for (let round = 0; round < 20; round++) expect(await sendAndEnd(srv.port, request)).to.equal(expected);
    // Exactly one full 64 KiB read: the reader then reads on and meets the FIN in the same poll phase.
    const filler = 'version\r\n'.repeat(50);
    const n = 65536 - `set ${prefix}b 0 0 65000\r\n`.length - 2 - filler.length;
    const full = `set ${prefix}b 0 0 ${n}\r\n` + 'x'.repeat(n) + '\r\n' + filler;
    expect(full.length).to.equal(65536);
    for (let round = 0; round < 5; round++) expect(await sendAndEnd(srv.port, full)).to.equal('STORED\r\n' + 'VERSION 1.6.18\r\n'.repeat(50));
  });
});
