import { expect } from 'chai';
import { createRequire } from 'node:module';
import net from 'node:net';
import { counterExtras, frame, readResponses, storeExtras, u32 } from '../support/binary-frames.js';
import { TcpClient } from '../support/tcp-client.js';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';

/** The parts of memjs (CommonJS, untyped) these tests use. */
interface MemjsResponse {
  header: { status: number; opcode: number };
  val: Buffer;
}
interface MemjsClient {
  get(key: string): Promise<{ value: Buffer | null; flags: Buffer | null }>;
  set(key: string, value: string | Buffer, options: { expires?: number }): Promise<boolean>;
  add(key: string, value: string | Buffer, options: { expires?: number }): Promise<boolean>;
  replace(key: string, value: string | Buffer, options: { expires?: number }): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  increment(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value: number | null }>;
  decrement(key: string, amount: number, options: { initial?: number; expires?: number }): Promise<{ success: boolean; value: number | null }>;
  append(key: string, value: string): Promise<boolean>;
  touch(key: string, expires: number): Promise<boolean>;
  flush(): Promise<Record<string, boolean | Error>>;
  stats(cb: (err: Error | null, server: string, stats: Record<string, string> | null) => void): void;
  perform(key: string, request: Buffer, seq: number, cb: (err: Error | null, response: MemjsResponse) => void): void;
  seq: number;
  close(): void;
}
interface Memjs {
  Client: { create(servers: string, options: Record<string, unknown>): MemjsClient };
  Utils: { makeRequestBuffer(opcode: number, key: string, extras: string, value: string, opaque: number): Buffer };
}
const memjs = createRequire(import.meta.url)('memjs') as Memjs;

const quietLogger = { log() {} };

function memjsClient(port: number, auth?: { username: string; password: string }): MemjsClient {
  return memjs.Client.create(`127.0.0.1:${port}`, { logger: quietLogger, retries: 0, timeout: 2, conntimeout: 2, ...auth });
}

function stats(client: MemjsClient): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => client.stats((err, _server, s) => (err || !s ? reject(err ?? new Error('no stats')) : resolve(s))));
}

/** Sends a real Prepend (0x0f) through memjs's connection; resolves to the status. */
function prepend(client: MemjsClient, key: string, value: string): Promise<number> {
  client.seq++;
  const request = memjs.Utils.makeRequestBuffer(0x0f, key, '', value, client.seq);
  return new Promise((resolve, reject) => client.perform(key, request, client.seq, (err, r) => (err ? reject(err) : resolve(r.header.status))));
}

function version(client: MemjsClient): Promise<string> {
  client.seq++;
  const request = memjs.Utils.makeRequestBuffer(0x0b, '', '', '', client.seq);
  return new Promise((resolve, reject) => client.perform('', request, client.seq, (err, r) => (err ? reject(err) : resolve(r.val.toString()))));
}

describe('binary protocol over TCP (e2e)', function () {
  this.timeout(15000);

  describe('without SASL', () => {
    let server: E2EServer;
    before(async () => {
      server = await startE2EServer();
    });
    after(async () => {
      await server.stop();
    });

    it('memjs: set/get/add/replace/delete/incr/decr/append/prepend/touch/flush/stats/version', async () => {
      const c = memjsClient(server.port);
      try {
        expect(await c.set('greeting', 'hello', {})).to.equal(true);
        const got = await c.get('greeting');
        expect(got.value!.toString()).to.equal('hello');
        expect(got.flags!.readUInt32BE(0)).to.equal(0);
        expect((await c.get('absent')).value).to.equal(null);
        // memjs maps "key exists" (0x02) on add and "not found" (0x01) on replace to false.
        expect(await c.add('greeting', 'x', {})).to.equal(false);
        expect(await c.add('fresh', 'new', {})).to.equal(true);
        expect(await c.replace('fresh', 'newer', {})).to.equal(true);
        expect(await c.replace('nobody', 'x', {})).to.equal(false);
        expect((await c.get('fresh')).value!.toString()).to.equal('newer');
        expect(await c.append('greeting', ', world')).to.equal(true);
        // memjs 1.3.2's prepend() sends the append opcode (0x0e), so prepend goes through its raw perform().
        expect(await prepend(c, 'greeting', '>> ')).to.equal(0);
        expect((await c.get('greeting')).value!.toString()).to.equal('>> hello, world');
        expect(await c.increment('counter', 5, { initial: 10 })).to.deep.equal({ success: true, value: 10 });
        expect(await c.increment('counter', 5, {})).to.deep.equal({ success: true, value: 15 });
        expect(await c.decrement('counter', 20, {})).to.deep.equal({ success: true, value: 0 });
        expect(await c.touch('greeting', 100)).to.equal(true);
        expect(await c.touch('absent', 100)).to.equal(false);
        expect(await c.delete('fresh')).to.equal(true);
        expect(await c.delete('fresh')).to.equal(false);
        const s = await stats(c);
        expect(s['version']).to.equal('1.6.18');
        expect(Number(s['cmd_set'])).to.be.greaterThan(0);
        expect(await version(c)).to.equal('1.6.18');
        await c.flush();
        expect((await c.get('greeting')).value).to.equal(null);
      } finally {
        c.close();
      }
    });

    it('binary values round-trip byte for byte, including a large one', async () => {
      const c = memjsClient(server.port);
      try {
        const value = Buffer.alloc(300_000);
        for (let i = 0; i < value.length; i++) value[i] = (i * 7919) & 0xff;
        expect(await c.set('blob', value, {})).to.equal(true);
        expect((await c.get('blob')).value!.equals(value)).to.equal(true);
      } finally {
        c.close();
      }
    });

    it('the same port still speaks ASCII to a text client', async () => {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.write('version\r\n'));
        let d = '';
        s.on('data', (b) => {
          d += b.toString('latin1');
          if (d.endsWith('\r\n')) {
            s.destroy();
            resolve(d);
          }
        });
        s.on('error', reject);
      });
      expect(reply).to.equal('VERSION 1.6.18\r\n');
    });

    it('a pipeline of GetKQ + Noop in one write returns the hits then the Noop', async () => {
      const c = await TcpClient.connect(server.port);
      try {
        c.send(
          Buffer.concat([
            frame(0x01, { key: 'p1', extras: storeExtras(3, 0), value: 'one' }),
            frame(0x01, { key: 'p3', extras: storeExtras(0, 0), value: 'three' }),
          ]),
        );
        await readResponses(c, 2);
        c.send(Buffer.concat(['p1', 'p2', 'p3', 'p4'].map((key, i) => frame(0x0d, { key, opaque: i + 1 })).concat(frame(0x0a, { opaque: 99 }))));
        const rs = await readResponses(c, 3);
        expect(rs.map((r) => [r.opaque, r.key, r.value.toString()])).to.deep.equal([
          [1, 'p1', 'one'],
          [3, 'p3', 'three'],
          [99, '', ''],
        ]);
        expect(rs[0]!.extras.readUInt32BE(0)).to.equal(3);
      } finally {
        c.close();
      }
    });

    it("Touch with an exptime in the past answers the item's flags and cas, then the item is gone", async () => {
      const c = await TcpClient.connect(server.port);
      try {
        c.send(frame(0x01, { key: 'past', extras: storeExtras(3, 0), value: 'v', opaque: 1 }));
        const [stored] = await readResponses(c, 1);
        // 2592001 is an absolute time in 1970.
        c.send(Buffer.concat([frame(0x1c, { key: 'past', extras: u32(2592001), opaque: 2 }), frame(0x00, { key: 'past', opaque: 3 })]));
        const [touched, got] = await readResponses(c, 2);
        expect([touched!.status, touched!.extras.readUInt32BE(0), touched!.cas]).to.deep.equal([0, 3, stored!.cas]);
        expect(stored!.cas).to.not.equal(0n);
        expect(got!.status).to.equal(0x01);
      } finally {
        c.close();
      }
    });

    it('incr/decr with a mismatching cas: an empty value is "non-numeric", a text value "exists"', async () => {
      const c = await TcpClient.connect(server.port);
      try {
        c.send(
          Buffer.concat([
            frame(0x01, { key: 'empty', extras: storeExtras(0, 0), value: '', opaque: 1 }),
            frame(0x01, { key: 'text', extras: storeExtras(0, 0), value: 'abc', opaque: 2 }),
          ]),
        );
        await readResponses(c, 2);
        c.send(
          Buffer.concat([
            frame(0x05, { key: 'empty', extras: counterExtras(1n, 0n, 0), cas: 12345n, opaque: 3 }),
            frame(0x06, { key: 'text', extras: counterExtras(1n, 0n, 0), cas: 12345n, opaque: 4 }),
          ]),
        );
        const rs = await readResponses(c, 2);
        expect(rs.map((r) => [r.opaque, r.status])).to.deep.equal([
          [3, 0x06],
          [4, 0x02],
        ]);
      } finally {
        c.close();
      }
    });

    it('a bad magic byte drops the replies owed to earlier frames of the same write, back to the last error or Noop', async () => {
      const c = await TcpClient.connect(server.port);
      try {
        c.send(frame(0x01, { key: 'm', extras: storeExtras(0, 0), value: 'v', opaque: 1 }));
        await readResponses(c, 1);
        // Get hit (dropped) then bad magic: nothing is sent before the close.
        c.send(Buffer.concat([frame(0x00, { key: 'm', opaque: 2 }), frame(0x00, { key: 'm', magic: 0x81 })]));
        expect(await readResponses(c, 1, 300)).to.deep.equal([]);
        expect(await c.waitClosed()).to.equal(true);

        // A Get miss (an error reply) and a Noop flush; the hit after the Noop is dropped.
        const d = await TcpClient.connect(server.port);
        try {
          d.send(
            Buffer.concat([
              frame(0x00, { key: 'absent', opaque: 3 }),
              frame(0x0a, { opaque: 4 }),
              frame(0x00, { key: 'm', opaque: 5 }),
              frame(0x00, { key: 'm', magic: 0x00 }),
            ]),
          );
          const rs = await readResponses(d, 3, 300);
          expect(rs.map((r) => [r.opaque, r.status])).to.deep.equal([
            [3, 0x01],
            [4, 0x00],
          ]);
          expect(await d.waitClosed()).to.equal(true);
        } finally {
          d.close();
        }
      } finally {
        c.close();
      }
    });

    it('frames split at every byte arrive intact over TCP', async () => {
      const c = await TcpClient.connect(server.port);
      try {
        const all = Buffer.concat([
          frame(0x01, { key: 'split', extras: storeExtras(1, 0), value: 'abcdef', opaque: 1 }),
          frame(0x05, { key: 'splitn', extras: counterExtras(3n, 4n, 0), opaque: 2 }),
          frame(0x0c, { key: 'split', opaque: 3 }),
        ]);
        for (let i = 0; i < all.length; i++) {
          c.send(all.subarray(i, i + 1));
          // Let some bytes go out alone so the server sees real partial reads.
          if (i % 7 === 0) await new Promise((r) => setImmediate(r));
        }
        const rs = await readResponses(c, 3);
        expect(rs.map((r) => [r.opaque, r.status])).to.deep.equal([
          [1, 0],
          [2, 0],
          [3, 0],
        ]);
        expect(rs[1]!.value.readBigUInt64BE(0)).to.equal(4n);
        expect(rs[2]!.value.toString()).to.equal('abcdef');
      } finally {
        c.close();
      }
    });

    it('malformed frames close only their own connection; the server, other connections and the data survive', async () => {
      const keeper = await TcpClient.connect(server.port);
      try {
        keeper.send(frame(0x01, { key: 'safe', extras: storeExtras(0, 0), value: 'kept', opaque: 1 }));
        expect((await readResponses(keeper, 1))[0]!.status).to.equal(0);

        // Garbage after a valid frame: the valid one is answered, then a silent close.
        const garbage = await TcpClient.connect(server.port);
        garbage.send(Buffer.concat([frame(0x0a, { opaque: 7 }), Buffer.from('this is not a header at all!!')]));
        expect((await readResponses(garbage, 1))[0]!.opaque).to.equal(7);
        expect(await garbage.waitClosed()).to.equal(true);

        // A truncated header, then the client goes away.
        const truncated = await TcpClient.connect(server.port);
        truncated.send(frame(0x00, { key: 'safe' }).subarray(0, 13));
        await new Promise((r) => setTimeout(r, 20));
        truncated.close();

        // Body length smaller than key + extras: "Unknown command" and a close.
        const short = await TcpClient.connect(server.port);
        short.send(frame(0x01, { key: 'safe', extras: storeExtras(0, 0), value: 'x', bodyLength: 5 }));
        const [r] = await readResponses(short, 1);
        expect(r!.status).to.equal(0x81);
        expect(await short.waitClosed()).to.equal(true);

        // A huge declared body: "Too large." at once, the rest is discarded as it comes.
        const huge = await TcpClient.connect(server.port);
        huge.send(frame(0x01, { key: 'huge', extras: storeExtras(0, 0), bodyLength: 12 + 0xfff0_0000, opaque: 3 }));
        const [tooLarge] = await readResponses(huge, 1);
        expect(tooLarge!.status).to.equal(0x03);
        huge.send(Buffer.alloc(4 * 1024 * 1024, 0x80));
        huge.close();

        // The keeper still works and the stored data is intact.
        keeper.send(frame(0x01, { key: 'other', extras: storeExtras(0, 0), value: 'still here', opaque: 2 }));
        keeper.send(frame(0x00, { key: 'other', opaque: 3 }));
        keeper.send(frame(0x00, { key: 'safe', opaque: 4 }));
        const rs = await readResponses(keeper, 3);
        expect(rs[0]!.status).to.equal(0);
        expect(rs[1]!.value.toString()).to.equal('still here');
        expect(rs[2]!.value.toString()).to.equal('kept');

        const fresh = await TcpClient.connect(server.port);
        fresh.send(frame(0x0b, { opaque: 5 }));
        expect((await readResponses(fresh, 1))[0]!.value.toString()).to.equal('1.6.18');
        fresh.close();
      } finally {
        keeper.close();
      }
    });
  });

  describe('with SASL PLAIN', () => {
    let server: E2EServer;
    before(async () => {
      server = await startE2EServer({ security: { sasl_enabled: true, sasl_users: ['alice:s3cret'] } });
    });
    after(async () => {
      await server.stop();
    });

    it('memjs with the right credentials works end to end', async () => {
      const c = memjsClient(server.port, { username: 'alice', password: 's3cret' });
      try {
        expect(await c.set('secure', 'yes', {})).to.equal(true);
        expect((await c.get('secure')).value!.toString()).to.equal('yes');
        expect(await c.increment('n', 1, { initial: 1 })).to.deep.equal({ success: true, value: 1 });
        const s = await stats(c);
        expect(Number(s['auth_cmds'])).to.be.greaterThan(0);
      } finally {
        c.close();
      }
    });

    it('memjs with a wrong password is refused and nothing is stored', async () => {
      const c = memjsClient(server.port, { username: 'alice', password: 'wrong' });
      try {
        const outcome = await Promise.race([
          c.set('intruder', 'x', {}).then(
            () => 'stored',
            () => 'refused',
          ),
          new Promise((r) => setTimeout(() => r('refused'), 3000)),
        ]);
        expect(outcome).to.equal('refused');
      } finally {
        c.close();
      }
      // Checked over the wire by the rightful user: the refused set stored nothing, and was counted.
      const admin = memjsClient(server.port, { username: 'alice', password: 's3cret' });
      try {
        expect((await admin.get('intruder')).value).to.equal(null);
        expect(Number((await stats(admin))['auth_errors'])).to.be.greaterThan(0);
      } finally {
        admin.close();
      }
    });

    it('a raw client without authentication gets "Auth failure." and is disconnected', async () => {
      const c = await TcpClient.connect(server.port);
      c.send(frame(0x00, { key: 'secure', opaque: 1 }));
      const [r] = await readResponses(c, 1);
      expect(r!.status).to.equal(0x20);
      expect(r!.value.toString()).to.equal('Auth failure.');
      expect(await c.waitClosed()).to.equal(true);
    });
  });
});
