import { expect } from 'chai';
import { againstExternalServer, startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { TcpClient } from '../support/tcp-client.js';
import { seededRandom } from '../support/seeded-random.js';

describe('e2e: robustness against hostile input', function () {
  this.timeout(30_000);
  let srv: E2EServer;
  const prefix = `robust:${process.pid}:`;
  const items = new Map<string, Buffer>();

  before(async () => {
    srv = await startE2EServer();
    const c = await srv.connect();
    const rnd = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const v = Buffer.alloc(1 + Math.floor(rnd() * 3000));
      for (let j = 0; j < v.length; j++) v[j] = Math.floor(rnd() * 256);
      items.set(prefix + i, v);
      c.send(Buffer.concat([Buffer.from(`set ${prefix + i} ${i} 0 ${v.length}\r\n`), v, Buffer.from('\r\n')]));
    }
    const stored = 'STORED\r\n'.repeat(50);
    expect(await c.exchange('', stored)).to.equal(stored);
    c.close();
  });
  after(async () => {
    await srv.stop();
  });

  /** Opens a connection, lets `abuse` misuse it, and closes it whatever happened. */
  async function abuse(f: (c: TcpClient) => Promise<void>): Promise<void> {
    const c = await srv.connect();
    try {
      await f(c);
    } finally {
      c.close();
    }
  }

  it('survives garbage, oversized lines and values, and a truncated value; earlier items stay intact', async () => {
    const rnd = seededRandom(42);
    const sessions: Promise<void>[] = [];
    // Random bytes, including NULs, CRs and LFs.
    for (let s = 0; s < 20; s++) {
      sessions.push(
        abuse(async (c) => {
          for (let burst = 0; burst < 4; burst++) {
            const b = Buffer.alloc(1024);
            for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
            // Keep the connection on the text protocol: random binary packets could be a real flush.
            if (burst === 0 && b[0] === 0x80) b[0] = 0x81;
            c.send(b);
          }
          await c.drain(100);
        }),
      );
    }
    // Random printable commands made of real command names and junk tokens.
    const words = [
      'get',
      'set',
      'incr',
      'delete',
      'cas',
      'touch',
      'gat',
      'flush_allx',
      'stats',
      '0',
      '-1',
      '99999999999999999999',
      prefix + '0',
      'noreply',
      'x'.repeat(300),
    ];
    sessions.push(
      abuse(async (c) => {
        let text = '';
        for (let i = 0; i < 300; i++) {
          const n = 1 + Math.floor(rnd() * 6);
          const line: string[] = [];
          for (let j = 0; j < n; j++) line.push(words[Math.floor(rnd() * words.length)]!);
          // Never let the junk reach a real writer of the stored keys.
          text += line.join(' ').replace(/^(set|cas|incr|delete|touch|gat)( .*)?$/, 'get$2') + '\r\n';
        }
        c.send(text);
        await c.drain(200);
      }),
    );
    // An over-long line without a newline: the server hangs up.
    sessions.push(
      abuse(async (c) => {
        c.send('x'.repeat(100_000));
        expect(await c.waitClosed()).to.equal(true);
      }),
    );
    // A get line longer than max_line_length (1 MiB): the server hangs up (memcached has no such bound).
    if (!againstExternalServer())
      sessions.push(
        abuse(async (c) => {
          c.send('get ' + 'k '.repeat(600_000));
          expect(await c.waitClosed()).to.equal(true);
        }),
      );
    // An oversized value: refused, swallowed, connection still usable.
    sessions.push(
      abuse(async (c) => {
        const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
        c.send(Buffer.concat([Buffer.from(`set ${prefix}big 0 0 ${big.length}\r\n`), big, Buffer.from('\r\nversion\r\n')]));
        const expected = 'SERVER_ERROR object too large for cache\r\nVERSION 1.6.18\r\n';
        expect((await c.readBytes(expected.length)).toString()).to.equal(expected);
      }),
    );
    // A value cut off by closing the connection half-way through it.
    sessions.push(
      abuse(async (c) => {
        c.send(`set ${prefix}trunc 0 0 1000\r\n` + 'z'.repeat(500));
        await new Promise((r) => setTimeout(r, 50));
      }),
    );
    // A truncated value overwriting an existing key must not touch it.
    sessions.push(
      abuse(async (c) => {
        c.send(`set ${prefix}3 0 0 100\r\n` + 'w'.repeat(99));
        await new Promise((r) => setTimeout(r, 50));
      }),
    );
    await Promise.all(sessions);

    // The server still accepts new connections and every earlier item is intact.
    const c = await srv.connect();
    for (const [k, v] of items) {
      const flags = k.slice(prefix.length);
      const expected = Buffer.concat([Buffer.from(`VALUE ${k} ${flags} ${v.length}\r\n`), v, Buffer.from('\r\nEND\r\n')]);
      c.send(`get ${k}\r\n`);
      const got = await c.readBytes(expected.length);
      expect(got.equals(expected), `item ${k}`).to.equal(true);
    }
    expect(await c.exchange(`get ${prefix}trunc ${prefix}big\r\n`, 'END\r\n')).to.equal('END\r\n');
    const ok = 'STORED\r\nVALUE after 0 2\r\nok\r\nEND\r\n';
    expect(await c.exchange('set after 0 0 2\r\nok\r\nget after\r\n', ok)).to.equal(ok);
    c.close();
  });
});
