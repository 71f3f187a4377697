import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RespClient } from '../support/resp-client.js';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { sendAndEnd } from '../support/tcp-client.js';

/**
 * The RESP listener against the same server's memcached port: one keyspace,
 * the deliberate differences of docs/redis-protocol.md, authentication,
 * protocol errors and bounded input. Byte-exact Redis conformance is the
 * integration suite's job (test/integration/resp-*.test.ts).
 */
describe('e2e: Redis protocol (RESP) listener', function () {
  let srv: E2EServer;
  let resp: RespClient[] = [];
  const connect = async (): Promise<RespClient> => {
    const c = await RespClient.connect(srv.server!.redisPort!);
    resp.push(c);
    return c;
  };

  before(async () => {
    srv = await startE2EServer({ redis: { port: 0 } });
  });
  afterEach(() => {
    for (const c of resp) c.close();
    resp = [];
  });
  after(async () => {
    await srv.stop();
  });

  it('is off unless configured', async () => {
    const plain = await startE2EServer();
    try {
      expect(plain.server!.redisPort).to.equal(undefined);
    } finally {
      await plain.stop();
    }
  });

  it('answers RESP2 by default and RESP3 after HELLO 3', async () => {
    const r = await connect();
    expect(await r.call('PING')).to.equal('+PONG\r\n');
    expect(await r.call('GET', 'resp:none')).to.equal('$-1\r\n');
    const hello = await r.call('HELLO', '3');
    expect(hello.startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n')).to.equal(true);
    expect(await r.call('GET', 'resp:none')).to.equal('_\r\n');
  });

  it('takes inline commands with quotes, as redis-cli and telnet send them', async () => {
    const r = await connect();
    expect(await r.raw("SET \"inline key\" 'it\\'s'\r\n")).to.deep.equal(['+OK\r\n']);
    expect(await r.raw('GET "inline key"\n')).to.deep.equal(["$4\r\nit's\r\n"]);
  });

  it('answers a 400-command pipeline in order', async () => {
    const r = await connect();
    let req = '';
    for (let i = 0; i < 200; i++) req += `*3\r\n$3\r\nSET\r\n$${String(i).length + 2}\r\np:${i}\r\n$${String(i).length}\r\n${i}\r\n`;
    for (let i = 0; i < 200; i++) req += `*2\r\n$3\r\nGET\r\n$${String(i).length + 2}\r\np:${i}\r\n`;
    const replies = await r.raw(req, 400);
    expect(replies.slice(0, 200).every((x) => x === '+OK\r\n')).to.equal(true);
    expect(replies.slice(200)).to.deep.equal(Array.from({ length: 200 }, (_, i) => `$${String(i).length}\r\n${i}\r\n`));
  });

  it('answers a pipeline whose FIN follows it at once', async () => {
    const request = '*3\r\n$3\r\nSET\r\n$5\r\nfin:a\r\n$2\r\nhi\r\n*2\r\n$3\r\nGET\r\n$5\r\nfin:a\r\nPING\r\n';
    for (let round = 0; round < 20; round++) expect(await sendAndEnd(srv.server!.redisPort!, request)).to.equal('+OK\r\n$2\r\nhi\r\n+PONG\r\n');
  });

  describe('one keyspace with memcached', () => {
    it('an item set over RESP is an ordinary item with flags 0, and memcached items are readable with GET', async () => {
      const r = await connect();
      const mc = await srv.connect();
      expect(await r.call('SET', 'shared:a', 'hello')).to.equal('+OK\r\n');
      expect(await mc.lines('get shared:a\r\n')).to.equal('VALUE shared:a 0 5\r\nhello\r\nEND\r\n');
      expect(await mc.lines('mg shared:a v f\r\n', '\r\n')).to.equal('VA 5 f0\r\n');
      await mc.readUntil('\r\n');
      expect(await mc.exchange('set shared:m 42 0 3\r\nabc\r\n', 'STORED\r\n')).to.equal('STORED\r\n');
      expect(await r.call('GET', 'shared:m')).to.equal('$3\r\nabc\r\n');
      expect(await r.call('APPEND', 'shared:m', 'de')).to.equal(':5\r\n');
      // APPEND keeps the memcached flags: it edits the item, it does not replace it.
      expect(await mc.lines('get shared:m\r\n')).to.equal('VALUE shared:m 42 5\r\nabcde\r\nEND\r\n');
      expect(await r.call('DEL', 'shared:m')).to.equal(':1\r\n');
      expect(await mc.lines('get shared:m\r\n')).to.equal('END\r\n');
    });

    it('counts RESP commands in the same stats', async () => {
      const r = await connect();
      const mc = await srv.connect();
      const stat = async (name: string): Promise<number> => {
        const text = await mc.lines('stats\r\n');
        return Number(new RegExp(`STAT ${name} (\\d+)`).exec(text)![1]);
      };
      const [sets, hits, misses] = [await stat('cmd_set'), await stat('get_hits'), await stat('get_misses')];
      await r.call('SET', 'stats:a', '1');
      await r.call('GET', 'stats:a');
      await r.call('GET', 'stats:nothing');
      expect(await stat('cmd_set')).to.equal(sets + 1);
      expect(await stat('get_hits')).to.equal(hits + 1);
      expect(await stat('get_misses')).to.equal(misses + 1);
    });
  });

  describe('deliberate differences (docs/redis-protocol.md)', () => {
    it("counters: RESP is signed 64-bit, memcached unsigned; each side refuses the other's out-of-range numbers", async () => {
      const r = await connect();
      const mc = await srv.connect();
      expect(await r.call('SET', 'ctr:neg', '5')).to.equal('+OK\r\n');
      expect(await r.call('DECRBY', 'ctr:neg', '10')).to.equal(':-5\r\n');
      expect(await mc.exchange('incr ctr:neg 1\r\n', 'CLIENT_ERROR cannot increment or decrement non-numeric value\r\n')).to.equal(
        'CLIENT_ERROR cannot increment or decrement non-numeric value\r\n',
      );
      expect(await mc.exchange('set ctr:big 0 0 20\r\n18446744073709551615\r\n', 'STORED\r\n')).to.equal('STORED\r\n');
      expect(await r.call('INCR', 'ctr:big')).to.equal('-ERR value is not an integer or out of range\r\n');
      expect(await mc.exchange('incr ctr:big 1\r\n', '0\r\n')).to.equal('0\r\n');
      expect(await r.call('INCR', 'ctr:big')).to.equal('-ERR value is not an integer or out of range\r\n');
      expect(await r.call('SET', 'ctr:ok', '9223372036854775806')).to.equal('+OK\r\n');
      expect(await r.call('INCR', 'ctr:ok')).to.equal(':9223372036854775807\r\n');
      expect(await mc.exchange('incr ctr:ok 1\r\n', '9223372036854775808\r\n')).to.equal('9223372036854775808\r\n');
    });

    it('expiry: kept in milliseconds; memcached reports the remaining time rounded up to seconds', async () => {
      const r = await connect();
      const mc = await srv.connect();
      expect(await r.call('SET', 'ttl:ms', 'v', 'PX', '1500')).to.equal('+OK\r\n');
      const pttl = Number(/^:(\d+)/.exec(await r.call('PTTL', 'ttl:ms'))![1]);
      expect(pttl).to.be.within(1000, 1500);
      expect(await mc.lines('mg ttl:ms t\r\n', '\r\n')).to.equal('HD t2\r\n');
      expect(await mc.exchange('set ttl:s 0 100 1\r\nx\r\n', 'STORED\r\n')).to.equal('STORED\r\n');
      const fromMemcached = Number(/^:(\d+)/.exec(await r.call('PTTL', 'ttl:s'))![1]);
      expect(fromMemcached).to.be.within(99_000, 100_000);
    });

    it("keys memcached cannot express (spaces, empty, over 250 bytes) work over RESP and stay out of memcached's reach", async () => {
      const r = await connect();
      const mc = await srv.connect();
      const long = 'k'.repeat(300);
      expect(await r.call('SET', 'a key', '1')).to.equal('+OK\r\n');
      expect(await r.call('SET', long, '2')).to.equal('+OK\r\n');
      expect(await r.call('SET', '', 'empty')).to.equal('+OK\r\n');
      expect(await r.call('MGET', 'a key', long, '')).to.equal('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$5\r\nempty\r\n');
      expect(await mc.lines(`get ${long}\r\n`, '\r\n')).to.equal('CLIENT_ERROR bad command line format\r\n');
      expect(await r.call('DEL', 'a key', long, '')).to.equal(':3\r\n');
    });

    it("values over the item size limit are refused with Redis's string-size error, and the old value stays", async () => {
      const r = await connect();
      expect(await r.call('SET', 'big', 'small')).to.equal('+OK\r\n');
      const near = Buffer.alloc(1024 * 1024 - 10, 0x61);
      expect(await r.call('SET', 'big', near)).to.equal('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
      expect(await r.call('GET', 'big')).to.equal('$5\r\nsmall\r\n');
      expect(await r.call('SETRANGE', 'big', '2000000', 'x')).to.equal('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
    });
  });

  describe('protocol errors and bounds', () => {
    it('answers a malformed request with the protocol error and closes, after answering what came before', async () => {
      const r = await connect();
      expect(await r.raw('PING\r\n*1\r\n$x\r\n', 2)).to.deep.equal(['+PONG\r\n', '-ERR Protocol error: invalid bulk length\r\n']);
      expect(await r.waitClosed()).to.equal(true);
    });

    it('refuses a bulk longer than the item size limit before reading it', async () => {
      const r = await connect();
      expect(await r.raw(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${64 * 1024 * 1024}\r\n`)).to.deep.equal(['-ERR Protocol error: invalid bulk length\r\n']);
      expect(await r.waitClosed()).to.equal(true);
    });

    it('takes a bulk that arrives in many reads, byte exact, with the next command behind it', async function () {
      // Over LARGE_REST: the unparsed end is kept in a growing buffer across reads (pipelined-session.ts).
      const value = Buffer.alloc(900_000);
      for (let i = 0; i < value.length; i++) value[i] = i % 251;
      const request = Buffer.concat([
        Buffer.from(`*3\r\n$3\r\nSET\r\n$8\r\nresp:big\r\n$${value.length}\r\n`),
        value,
        Buffer.from('\r\n*2\r\n$3\r\nGET\r\n$8\r\nresp:big\r\n'),
      ]);
      const socket = net.connect(srv.server!.redisPort!, '127.0.0.1');
      await once(socket, 'connect');
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      // Uneven pieces with a pause between them: the server reads the request in many parts.
      for (let at = 0, n = 1; at < request.length; at += 7919 * n, n = (n % 5) + 1) {
        socket.write(request.subarray(at, Math.min(request.length, at + 7919 * n)));
        await new Promise((r) => setTimeout(r, 1));
      }
      const expected = Buffer.concat([Buffer.from(`+OK\r\n$${value.length}\r\n`), value, Buffer.from('\r\n')]);
      for (let i = 0; i < 500 && Buffer.concat(got).length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
      socket.destroy();
      expect(Buffer.concat(got).equals(expected)).to.equal(true);
    });

    it('keeps a queued MULTI command intact while a large request behind it arrives in pieces', async () => {
      // The queued SET's arguments are views of the input; the large unparsed end behind it must not overwrite them.
      const a = Buffer.alloc(200_000, 0x61);
      const b = Buffer.alloc(200_000, 0x62);
      const bulk = (v: Buffer | string): Buffer => {
        const x = Buffer.isBuffer(v) ? v : Buffer.from(v);
        return Buffer.concat([Buffer.from(`$${x.length}\r\n`), x, Buffer.from('\r\n')]);
      };
      const cmd = (...args: Array<Buffer | string>): Buffer => Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.map(bulk)]);
      const stream = Buffer.concat([cmd('MULTI'), cmd('SET', 'resp:qa', a), cmd('SET', 'resp:qb', b), cmd('EXEC'), cmd('GET', 'resp:qa')]);
      const socket = net.connect(srv.server!.redisPort!, '127.0.0.1');
      await once(socket, 'connect');
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(d));
      // Cut inside a's value, then inside b's value: a completes in the read that leaves most of b unparsed.
      const cuts = [100_000, 250_000, stream.length];
      for (let i = 0, at = 0; i < cuts.length; at = cuts[i++]!) {
        socket.write(stream.subarray(at, cuts[i]));
        await new Promise((r) => setTimeout(r, 20));
      }
      const expected = Buffer.concat([Buffer.from('+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n'), bulk(a)]);
      for (let i = 0; i < 500 && Buffer.concat(got).length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
      socket.destroy();
      expect(Buffer.concat(got).equals(expected)).to.equal(true);
    });

    it('closes a connection whose inline request has no newline within 64 KiB', async () => {
      const r = await connect();
      expect(await r.raw('x'.repeat(70 * 1024))).to.deep.equal(['-ERR Protocol error: too big inline request\r\n']);
      expect(await r.waitClosed()).to.equal(true);
    });
  });

  describe('requirepass', () => {
    let locked: E2EServer;
    before(async () => {
      locked = await startE2EServer({ redis: { port: 0, requirepass: 's3cret' } });
    });
    after(async () => {
      await locked.stop();
    });

    it('refuses commands until AUTH or HELLO AUTH succeeds', async () => {
      const r = await RespClient.connect(locked.server!.redisPort!);
      resp.push(r);
      expect(await r.call('GET', 'x')).to.equal('-NOAUTH Authentication required.\r\n');
      expect(await r.call('AUTH', 'nope')).to.equal('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
      expect(await r.call('HELLO', '3')).to.match(/^-NOAUTH HELLO must be called/);
      expect(await r.call('AUTH', 's3cret')).to.equal('+OK\r\n');
      expect(await r.call('GET', 'x')).to.equal('$-1\r\n');
      const h = await RespClient.connect(locked.server!.redisPort!);
      resp.push(h);
      expect((await h.call('HELLO', '3', 'AUTH', 'default', 's3cret')).startsWith('%7\r\n')).to.equal(true);
      expect(await h.call('PING')).to.equal('+PONG\r\n');
      expect(await h.call('RESET')).to.equal('+RESET\r\n');
      expect(await h.call('PING')).to.equal('-NOAUTH Authentication required.\r\n');
    });
  });

  describe('the same tiers as memcached', () => {
    it('persists RESP items in L2 across a restart', async function () {
      this.timeout(20_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'rat-resp-l2-'));
      try {
        const overrides = { redis: { port: 0 }, l2: { enable_l2_cache: true, data_dir: dir } };
        const first = await startE2EServer(overrides);
        const r = await RespClient.connect(first.server!.redisPort!);
        expect(await r.call('SET', 'durable', 'kept', 'EX', '1000')).to.equal('+OK\r\n');
        r.close();
        await first.stop();
        const second = await startE2EServer(overrides);
        try {
          const mc = await second.connect();
          expect(await mc.lines('get durable\r\n')).to.equal('VALUE durable 0 4\r\nkept\r\nEND\r\n');
          const r2 = await RespClient.connect(second.server!.redisPort!);
          resp.push(r2);
          const ttl = Number(/^:(\d+)/.exec(await r2.call('TTL', 'durable'))![1]);
          expect(ttl).to.be.within(990, 1000);
        } finally {
          await second.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('evicts RESP items under the same memory budget and policy, counted in stats evictions', async () => {
      const small = await startE2EServer({ redis: { port: 0 }, l1: { max_memory: 2 * 1024 * 1024 } });
      try {
        const r = await RespClient.connect(small.server!.redisPort!);
        resp.push(r);
        const value = Buffer.alloc(10_000, 0x62);
        for (let i = 0; i < 600; i++) expect(await r.call('SET', `ev:${i}`, value)).to.equal('+OK\r\n');
        const mc = await small.connect();
        const evictions = Number(/STAT evictions (\d+)/.exec(await mc.lines('stats\r\n'))![1]);
        expect(evictions).to.be.greaterThan(0);
        expect(Number(/^:(\d+)/.exec(await r.call('DBSIZE'))![1])).to.be.lessThan(600);
      } finally {
        await small.stop();
      }
    });
  });
});
