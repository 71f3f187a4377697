import { expect } from 'chai';
import { BinarySession, type BinaryOptions } from '../../../src/adapters/binary/binary-session.js';
import { BinarySessionFactory } from '../../../src/adapters/binary/binary-session-factory.js';
import { credentialsAuthenticator } from '../../../src/adapters/binary/sasl-credentials.js';
import type { UseCases } from '../../../src/application/use-cases.js';
import { counterExtras, frame, parseResponses, storeExtras, u32, type Response } from '../../support/binary-frames.js';
import { FakeSocket } from '../../support/fake-socket.js';
import { asyncStore } from '../../support/async-store.js';
import { makeCacheFixture, type CacheFixture as Fixture } from '../../support/cache-fixture.js';

const OPEN: BinaryOptions = { saslEnabled: false, authenticate: () => false };
const SASL: BinaryOptions = { saslEnabled: true, authenticate: credentialsAuthenticator(['alice:s3cret']) };

/** Byte-exact responses captured from memcached 1.6.18 (see docs/binary-protocol.md). */
const REAL = {
  getMiss: '8100000000000001000000090102030400000000000000004e6f7420666f756e64',
  getkMiss: '810c000200000001000000020000000500000000000000007a7a',
  addExists: '810200000000000200000014000000060000000000000000446174612065786973747320666f72206b65792e',
  nonNumeric: '81050000000000060000002e0000000700000000000000004e6f6e2d6e756d65726963207365727665722d736964652076616c756520666f7220696e6372206f722064656372',
  unknown: '81400000000000810000000f000000080000000000000000556e6b6e6f776e20636f6d6d616e64',
  invalid: '810000000000000400000011000000090000000000000000496e76616c696420617267756d656e7473',
  notStored: '810e0000000000050000000b0000000b00000000000000004e6f742073746f7265642e',
  version: '810b000000000000000000060000000c0000000000000000312e362e3138',
  statTerminator: '8110000000000000000000000000000d0000000000000000',
  noop: '810a000000000000000000000000000e0000000000000000',
  quit: '8107000000000000000000000000000f0000000000000000',
};

class Harness {
  readonly socket = new FakeSocket();
  readonly session: BinarySession;
  constructor(
    readonly fx: Fixture,
    options: BinaryOptions = OPEN,
  ) {
    this.session = new BinaryFactoryProbe(fx.useCases, options).create(this.socket);
  }
  get uc(): UseCases {
    return this.fx.useCases;
  }
  feed(...bufs: Buffer[]): this {
    for (const b of bufs) this.session.onData(b);
    return this;
  }
  /** Feeds the concatenation one byte per read. */
  feedBytewise(...bufs: Buffer[]): this {
    const all = Buffer.concat(bufs);
    for (let i = 0; i < all.length; i++) this.session.onData(all.subarray(i, i + 1));
    return this;
  }
  responses(): Response[] {
    const { responses, rest } = parseResponses(this.socket.bytes);
    expect(rest.length, 'no partial response').to.equal(0);
    return responses;
  }
  hex(): string {
    return this.socket.bytes.toString('hex');
  }
  /** Waits (bounded) until `n` responses are out, for stores that answer later. */
  async settle(n: number): Promise<Response[]> {
    for (let i = 0; i < 200 && parseResponses(this.socket.bytes).responses.length < n; i++) {
      await new Promise((r) => setImmediate(r));
    }
    return this.responses();
  }
}

/** The factory builds sessions from a FakeSocket as it would from a net.Socket. */
class BinaryFactoryProbe {
  private readonly factory: BinarySessionFactory;
  constructor(uc: UseCases, options: BinaryOptions) {
    this.factory = new BinarySessionFactory(uc, options);
  }
  create(socket: FakeSocket): BinarySession {
    return this.factory.create(socket.asSocket());
  }
}

function harness(options: BinaryOptions = OPEN, fx: Fixture = makeCacheFixture()): Harness {
  return new Harness(fx, options);
}

const set = (key: string, value: string, flags = 0, opaque = 0, cas = 0n) => frame(0x01, { key, value, extras: storeExtras(flags, 0), opaque, cas });

describe('binary protocol session', () => {
  describe('factory', () => {
    it('claims only connections that start with the request magic', () => {
      const f = new BinarySessionFactory(makeCacheFixture().useCases, OPEN);
      expect(f.accepts(0x80)).to.equal(true);
      expect(f.accepts(0x81)).to.equal(false);
      expect(f.accepts(0x67)).to.equal(false);
      expect(f.protocol).to.equal('binary');
    });
  });

  describe('storage and retrieval', () => {
    it('set then get, getk: flags in extras, cas returned and equal, opaque echoed', () => {
      const h = harness().feed(set('a', 'hello', 5, 7), frame(0x00, { key: 'a', opaque: 8 }), frame(0x0c, { key: 'a', opaque: 9 }));
      const [s, g, gk] = h.responses();
      expect(s!.status).to.equal(0);
      expect(s!.opaque).to.equal(7);
      expect(s!.cas > 0n).to.equal(true);
      expect(s!.raw.length).to.equal(24);
      expect(g!.extras.readUInt32BE(0)).to.equal(5);
      expect(g!.key).to.equal('');
      expect(g!.value.toString()).to.equal('hello');
      expect(g!.cas).to.equal(s!.cas);
      expect(g!.opaque).to.equal(8);
      expect(gk!.key).to.equal('a');
      expect(gk!.value.toString()).to.equal('hello');
      expect(gk!.opcode).to.equal(0x0c);
    });

    it('a connection holding half a frame keeps only its unparsed bytes (no writer, value parts or SASL state)', () => {
      const h = harness();
      const get = frame(0x00, { key: 'zz', opaque: 0x01020304 });
      // A value spanning reads, then half a header: the value's parts go, the half header stays.
      h.feed(set('sp', 'abcdef').subarray(0, 36));
      h.feed(Buffer.concat([set('sp', 'abcdef').subarray(36), get.subarray(0, 12)]));
      const inside = h.session as unknown as { out: unknown; parts: Buffer[] | undefined; saslExchange: unknown; buf: unknown; rest: string | undefined };
      expect(inside.buf, 'read copy').to.equal(undefined);
      expect(inside.rest).to.equal(get.subarray(0, 12).toString('latin1'));
      expect(inside.parts).to.deep.equal([]);
      expect(inside.saslExchange).to.equal(undefined);
      const fresh = harness();
      fresh.feed(get.subarray(0, 12));
      expect((fresh.session as unknown as { out: unknown; parts: unknown }).out, 'reply writer').to.equal(undefined);
      expect((fresh.session as unknown as { parts: unknown }).parts).to.equal(undefined);
      fresh.feed(get.subarray(12));
      expect(fresh.hex()).to.equal(REAL.getMiss);
      h.feed(get.subarray(12));
      expect(h.hex().slice(48)).to.equal(REAL.getMiss);
    });

    it('get and getk misses match memcached byte for byte', () => {
      const h = harness().feed(frame(0x00, { key: 'zz', opaque: 0x01020304 }), frame(0x0c, { key: 'zz', opaque: 5 }));
      expect(h.hex()).to.equal(REAL.getMiss + REAL.getkMiss);
    });

    it('add on an existing key is "key exists" (0x02), replace on a missing key "not found" (0x01)', () => {
      const h = harness().feed(set('ex', 'v'), frame(0x02, { key: 'ex', extras: storeExtras(0, 0), value: 'x', opaque: 6 }));
      expect(h.hex().slice(48)).to.equal(REAL.addExists);
      const h2 = harness().feed(frame(0x03, { key: 'nope', extras: storeExtras(0, 0), value: 'x', opaque: 2 }));
      const [r] = h2.responses();
      expect(r!.status).to.equal(0x01);
      expect(r!.value.toString()).to.equal('Not found');
      expect(r!.cas).to.equal(0n);
    });

    it('add stores a new key and replace overwrites an existing one', () => {
      const h = harness().feed(
        frame(0x02, { key: 'k', extras: storeExtras(1, 0), value: 'one' }),
        frame(0x03, { key: 'k', extras: storeExtras(2, 0), value: 'two' }),
        frame(0x00, { key: 'k' }),
      );
      const [a, r, g] = h.responses();
      expect([a!.status, r!.status, g!.status]).to.deep.equal([0, 0, 0]);
      expect(g!.value.toString()).to.equal('two');
      expect(g!.extras.readUInt32BE(0)).to.equal(2);
    });

    it('honours cas on set: a stale cas is 0x02, a cas on a missing key 0x01, the right cas stores', () => {
      const h = harness().feed(set('c', 'v1'));
      const cas = h.responses()[0]!.cas;
      h.feed(set('c', 'v2', 0, 1, cas + 100n), set('nokey', 'x', 0, 2, 5n), set('c', 'v3', 0, 3, cas), frame(0x00, { key: 'c', opaque: 4 }));
      const [, stale, missing, good, get] = h.responses();
      expect(stale!.status).to.equal(0x02);
      expect(stale!.value.toString()).to.equal('Data exists for key.');
      expect(stale!.cas).to.equal(0n);
      expect(missing!.status).to.equal(0x01);
      expect(good!.status).to.equal(0);
      expect(good!.cas).to.not.equal(cas);
      expect(get!.value.toString()).to.equal('v3');
      expect(get!.cas).to.equal(good!.cas);
    });

    it('carries cas values above 2^32 on the wire as 64-bit', () => {
      const fx = makeCacheFixture();
      fx.context.cas.advancePast(2 ** 40 + 5);
      const h = harness(OPEN, fx).feed(set('big', 'v'), frame(0x00, { key: 'big' }));
      const [s, g] = h.responses();
      expect(s!.cas).to.equal(BigInt(2 ** 40 + 6));
      expect(g!.cas).to.equal(BigInt(2 ** 40 + 6));
      h.feed(set('big', 'w', 0, 0, BigInt(2 ** 40 + 6)), set('big', 'x', 0, 0, 0xffff_ffff_ffff_ffffn));
      const [, , ok, bad] = h.responses();
      expect(ok!.status).to.equal(0);
      expect(bad!.status).to.equal(0x02);
    });

    it('append and prepend join values, keep flags, refuse a missing key with 0x05 and honour cas', () => {
      const h = harness().feed(
        frame(0x0e, { key: 'nokey', value: 'x', opaque: 11 }),
        set('ap', 'mid', 3),
        frame(0x0e, { key: 'ap', value: 'END' }),
        frame(0x0f, { key: 'ap', value: 'BEG' }),
        frame(0x00, { key: 'ap' }),
        frame(0x0e, { key: 'ap', value: 'z', cas: 1n }),
      );
      const rs = h.responses();
      expect(rs[0]!.raw.toString('hex')).to.equal(REAL.notStored);
      expect(rs[2]!.status).to.equal(0);
      expect(rs[2]!.cas > rs[1]!.cas).to.equal(true);
      expect(rs[4]!.value.toString()).to.equal('BEGmidEND');
      expect(rs[4]!.extras.readUInt32BE(0)).to.equal(3);
      expect(rs[5]!.status).to.equal(0x02);
    });

    it('a value over the item limit is "too large" (0x03), discarded without desynchronising, and a refused set drops the old value', () => {
      const fx = makeCacheFixture({ itemSizeMax: 1024 });
      const h = harness(OPEN, fx).feed(set('k', 'old'), set('k', 'x'.repeat(2000), 0, 5), frame(0x00, { key: 'k', opaque: 6 }), frame(0x0a, { opaque: 7 }));
      const [, big, get, noop] = h.responses();
      expect(big!.status).to.equal(0x03);
      expect(big!.value.toString()).to.equal('Too large.');
      expect(big!.opaque).to.equal(5);
      expect(get!.status).to.equal(0x01);
      expect(noop!.opaque).to.equal(7);
      expect(fx.context.stats.store_too_large).to.equal(1);
    });

    it('answers "too large" as soon as the header arrives and never buffers a huge declared body', () => {
      const h = harness();
      const header = frame(0x01, { key: 'huge', extras: storeExtras(0, 0), bodyLength: 12 + 0x7000_0000, opaque: 9 });
      h.feed(header);
      const [r] = h.responses();
      expect(r!.status).to.equal(0x03);
      // Feed 8 MiB of the body: it is discarded as it comes.
      const junk = Buffer.alloc(1024 * 1024, 0x80);
      for (let i = 0; i < 8; i++) h.feed(junk);
      expect(h.responses()).to.have.length(1);
      expect(h.socket.ended).to.equal(false);
    });

    it('an empty value is stored and read back', () => {
      const h = harness().feed(set('e', ''), frame(0x00, { key: 'e' }));
      const [s, g] = h.responses();
      expect(s!.status).to.equal(0);
      expect(g!.value.length).to.equal(0);
      expect(g!.raw.readUInt32BE(8)).to.equal(4);
    });
  });

  describe('delete', () => {
    it('deletes (cas 0 in the reply), then misses with 0x01; a wrong cas is 0x02 and keeps the item', () => {
      const h = harness().feed(set('d', 'v'));
      const cas = h.responses()[0]!.cas;
      h.feed(frame(0x04, { key: 'd', cas: cas + 1n, opaque: 1 }), frame(0x04, { key: 'd', cas, opaque: 2 }), frame(0x04, { key: 'd', opaque: 3 }));
      const [, wrong, ok, miss] = h.responses();
      expect(wrong!.status).to.equal(0x02);
      expect(ok!.status).to.equal(0);
      expect(ok!.cas).to.equal(0n);
      expect(miss!.status).to.equal(0x01);
      expect(miss!.value.toString()).to.equal('Not found');
    });
  });

  describe('increment and decrement', () => {
    it('creates with the initial value unless expiration is 0xffffffff, then counts; decr floors at 0', () => {
      const h = harness().feed(
        frame(0x05, { key: 'n', extras: counterExtras(1n, 10n, 0xffff_ffff), opaque: 1 }),
        frame(0x05, { key: 'n', extras: counterExtras(1n, 10n, 0), opaque: 2 }),
        frame(0x05, { key: 'n', extras: counterExtras(5n, 10n, 0), opaque: 3 }),
        frame(0x06, { key: 'n', extras: counterExtras(100n, 10n, 0), opaque: 4 }),
        frame(0x00, { key: 'n', opaque: 5 }),
      );
      const [miss, created, inc, dec, get] = h.responses();
      expect(miss!.status).to.equal(0x01);
      expect(created!.status).to.equal(0);
      expect(created!.value.readBigUInt64BE(0)).to.equal(10n);
      expect(created!.raw.readUInt32BE(8)).to.equal(8);
      expect(created!.cas > 0n).to.equal(true);
      expect(inc!.value.readBigUInt64BE(0)).to.equal(15n);
      expect(inc!.cas > created!.cas).to.equal(true);
      expect(dec!.value.readBigUInt64BE(0)).to.equal(0n);
      // memcached rewrites in place, padding with spaces.
      expect(get!.value.toString()).to.equal('0 ');
      expect(get!.extras.readUInt32BE(0)).to.equal(0);
    });

    it("a non-numeric value is 0x06 with memcached's text; a wrong cas is 0x02; wraps at 2^64", () => {
      const h = harness().feed(set('s', 'abc'), frame(0x05, { key: 's', extras: counterExtras(1n, 0n, 0), opaque: 7 }));
      expect(h.hex().slice(48)).to.equal(REAL.nonNumeric);
      const h2 = harness().feed(set('m', '18446744073709551615'));
      const cas = h2.responses()[0]!.cas;
      h2.feed(frame(0x05, { key: 'm', extras: counterExtras(1n, 0n, 0), cas: cas + 9n }), frame(0x05, { key: 'm', extras: counterExtras(2n, 0n, 0), cas }));
      const [, wrong, wrapped] = h2.responses();
      expect(wrong!.status).to.equal(0x02);
      expect(wrapped!.value.readBigUInt64BE(0)).to.equal(1n);
    });
  });

  describe('touch and get-and-touch', () => {
    it('touch answers flags and cas without the value; GAT/GATK return the value; misses as memcached', () => {
      const fx = makeCacheFixture();
      const h = harness(OPEN, fx).feed(
        set('t', 'tv', 9),
        frame(0x1c, { key: 't', extras: u32(100), opaque: 1 }),
        frame(0x1c, { key: 'tx', extras: u32(100), opaque: 2 }),
        frame(0x1d, { key: 't', extras: u32(100), opaque: 3 }),
        frame(0x23, { key: 't', extras: u32(100), opaque: 4 }),
        frame(0x1e, { key: 'tx', extras: u32(100), opaque: 5 }),
        frame(0x24, { key: 'tx', extras: u32(100), opaque: 6 }),
        frame(0x23, { key: 'tx', extras: u32(100), opaque: 7 }),
        frame(0x1d, { key: 'tx', extras: u32(100), opaque: 8 }),
      );
      const [s, touch, touchMiss, gat, gatk, gatkMiss, gatMiss] = h.responses();
      expect(touch!.extras.readUInt32BE(0)).to.equal(9);
      expect(touch!.value.length).to.equal(0);
      expect(touch!.cas).to.equal(s!.cas);
      expect(touchMiss!.status).to.equal(1);
      expect(touchMiss!.value.toString()).to.equal('Not found');
      expect(gat!.value.toString()).to.equal('tv');
      expect(gat!.key).to.equal('');
      expect(gatk!.key).to.equal('t');
      expect(gatk!.value.toString()).to.equal('tv');
      // GATQ and GATKQ misses are silent.
      expect(gatkMiss!.opaque).to.equal(7);
      expect(gatkMiss!.key).to.equal('tx');
      expect(gatkMiss!.status).to.equal(1);
      expect(gatMiss!.opaque).to.equal(8);
      // The new expiry holds: 100 s later the item is gone.
      fx.clock.advance(101_000);
      h.feed(frame(0x00, { key: 't', opaque: 9 }));
      expect(h.responses()[7]!.status).to.equal(1);
    });
  });

  describe('quiet commands', () => {
    it('are silent on success and gets on a miss, but errors are answered; Noop closes the batch', () => {
      const h = harness().feed(
        frame(0x11, { key: 'q', extras: storeExtras(0, 0), value: 'v' }),
        frame(0x09, { key: 'q', opaque: 1 }),
        frame(0x09, { key: 'qx', opaque: 2 }),
        frame(0x0d, { key: 'q', opaque: 3 }),
        frame(0x0d, { key: 'qx', opaque: 4 }),
        frame(0x12, { key: 'q', extras: storeExtras(0, 0), value: 'v', opaque: 5 }),
        frame(0x13, { key: 'qx', extras: storeExtras(0, 0), value: 'v', opaque: 6 }),
        frame(0x14, { key: 'qx', opaque: 7 }),
        frame(0x15, { key: 'qx', extras: counterExtras(1n, 0n, 0xffff_ffff), opaque: 8 }),
        frame(0x16, { key: 'ctr', extras: counterExtras(1n, 5n, 0), opaque: 9 }),
        frame(0x19, { key: 'q', value: '+', opaque: 10 }),
        frame(0x1a, { key: 'q', value: '-', opaque: 11 }),
        frame(0x14, { key: 'ctr', opaque: 12 }),
        frame(0x18, { opaque: 13 }),
        frame(0x0a, { opaque: 14 }),
      );
      const rs = h.responses();
      expect(rs.map((r) => [r.opcode, r.opaque, r.status])).to.deep.equal([
        [0x09, 1, 0],
        [0x0d, 3, 0],
        [0x12, 5, 2],
        [0x13, 6, 1],
        [0x14, 7, 1],
        [0x15, 8, 1],
        [0x0a, 14, 0],
      ]);
      // FlushQ ran: nothing is left.
      h.feed(frame(0x00, { key: 'q', opaque: 15 }));
      expect(h.responses()[7]!.status).to.equal(1);
    });

    it('a pipeline of GetKQ + Noop returns only the hits, in order, then the Noop, in one write', () => {
      const h = harness();
      h.feed(set('k1', 'v1'), set('k3', 'v3'));
      h.socket.written.length = 0;
      h.feed(
        Buffer.concat([
          frame(0x0d, { key: 'k1', opaque: 1 }),
          frame(0x0d, { key: 'k2', opaque: 2 }),
          frame(0x0d, { key: 'k3', opaque: 3 }),
          frame(0x0d, { key: 'k4', opaque: 4 }),
          frame(0x0a, { opaque: 5 }),
        ]),
      );
      expect(h.socket.written).to.have.length(1);
      const rs = h.responses();
      expect(rs.map((r) => [r.opcode, r.opaque, r.key, r.value.toString()])).to.deep.equal([
        [0x0d, 1, 'k1', 'v1'],
        [0x0d, 3, 'k3', 'v3'],
        [0x0a, 5, '', ''],
      ]);
    });
  });

  describe('administration', () => {
    it('version, noop and quit match memcached byte for byte; quit closes, QuitQ closes silently', () => {
      const h = harness().feed(frame(0x0b, { opaque: 12 }), frame(0x0a, { opaque: 14 }), frame(0x07, { opaque: 15 }), frame(0x0a, { opaque: 16 }));
      expect(h.hex()).to.equal(REAL.version + REAL.noop + REAL.quit);
      expect(h.socket.ended).to.equal(true);
      const q = harness().feed(frame(0x17, { opaque: 1 }), frame(0x0a, { opaque: 2 }));
      expect(q.socket.bytes.length).to.equal(0);
      expect(q.socket.ended).to.equal(true);
    });

    it('flush empties the cache (now, or after a delay in the extras)', () => {
      const fx = makeCacheFixture();
      const h = harness(OPEN, fx).feed(set('f', 'v'), frame(0x08, { opaque: 1 }), frame(0x00, { key: 'f', opaque: 2 }));
      const [, fl, g] = h.responses();
      expect(fl!.status).to.equal(0);
      expect(fl!.raw.length).to.equal(24);
      expect(g!.status).to.equal(1);
      h.feed(set('f', 'v'), frame(0x08, { extras: u32(0), opaque: 3 }), frame(0x00, { key: 'f', opaque: 4 }));
      expect(h.responses()[5]!.status).to.equal(1);
      expect(fx.context.stats.cmd_flush).to.equal(2);
    });

    it('verbosity is "unknown command" as in memcached 1.6.18, and the stream stays in step', () => {
      const h = harness().feed(frame(0x1b, { extras: u32(1), opaque: 2 }), frame(0x0a, { opaque: 3 }));
      const [v, n] = h.responses();
      expect(v!.status).to.equal(0x81);
      expect(v!.value.toString()).to.equal('Unknown command');
      expect(n!.opcode).to.equal(0x0a);
    });

    it('an unknown opcode is 0x81 "Unknown command" byte for byte, and its body is skipped', () => {
      const h = harness().feed(frame(0x40, { opaque: 8 }));
      expect(h.hex()).to.equal(REAL.unknown);
      const h2 = harness().feed(frame(0x50, { key: 'abc', value: 'xyz', opaque: 1 }), frame(0x0a, { opaque: 2 }));
      expect(h2.responses().map((r) => r.status)).to.deep.equal([0x81, 0]);
    });
  });

  describe('stats', () => {
    it('general stats are one packet per stat and an empty terminator, all with the opaque', () => {
      const h = harness().feed(set('a', 'b'), frame(0x10, { opaque: 42 }));
      const rs = h.responses().slice(1);
      const last = rs[rs.length - 1]!;
      expect(last.key).to.equal('');
      expect(last.raw.length).to.equal(24);
      const stats = new Map(rs.slice(0, -1).map((r) => [r.key, r.value.toString()]));
      expect(stats.get('version')).to.equal('1.6.18');
      expect(stats.get('cmd_set')).to.equal('1');
      expect(stats.get('curr_items')).to.equal('1');
      expect(rs.every((r) => r.opaque === 42 && r.opcode === 0x10 && r.cas === 0n)).to.equal(true);
    });

    it('groups: settings, items, slabs, sizes, reset, detail on/dump/off; unknown groups are 0x01', () => {
      const fx = makeCacheFixture();
      const h = harness(OPEN, fx).feed(set('p:a', 'v'), frame(0x00, { key: 'p:a' }));
      h.socket.written.length = 0;
      h.feed(frame(0x10, { key: 'settings', opaque: 1 }));
      expect(h.responses().map((r) => r.key)).to.deep.equal(['maxbytes', 'auth_enabled_sasl', '']);
      h.socket.written.length = 0;
      h.feed(frame(0x10, { key: 'items', opaque: 2 }), frame(0x10, { key: 'slabs', opaque: 3 }), frame(0x10, { key: 'sizes', opaque: 4 }));
      const groups = h.responses();
      expect(groups.find((r) => r.key === 'items:1:number')!.value.toString()).to.equal('1');
      expect(groups.some((r) => r.opaque === 3 && r.key === 'active_slabs')).to.equal(true);
      expect(groups.filter((r) => r.opaque === 4).map((r) => [r.key, r.value.toString()])).to.deep.equal([
        ['sizes_status', 'disabled'],
        ['', ''],
      ]);
      h.socket.written.length = 0;
      h.feed(
        frame(0x10, { key: 'detail on', opaque: 5 }),
        frame(0x00, { key: 'p:a' }),
        frame(0x10, { key: 'detail dump', opaque: 6 }),
        frame(0x10, { key: 'detail off', opaque: 7 }),
      );
      const d = h.responses();
      expect(d[0]!.raw.length).to.equal(24);
      const dump = d.find((r) => r.key === 'detailed')!;
      expect(dump.value.toString()).to.match(/^PREFIX p get 1 hit 1 set 0 del 0\r\nEND\r\n$/);
      expect(fx.context.prefixStats.enabled).to.equal(false);
      h.socket.written.length = 0;
      h.feed(frame(0x10, { key: 'detail bogus', opaque: 8 }), frame(0x10, { key: 'bogus', opaque: 9 }), frame(0x10, { key: 'reset', opaque: 13 }));
      const [bad1, bad2, reset] = h.responses();
      expect([bad1!.status, bad2!.status]).to.deep.equal([1, 1]);
      expect(bad2!.value.toString()).to.equal('Not found');
      expect(reset!.raw.toString('hex')).to.equal(REAL.statTerminator);
      expect(fx.context.stats.cmd_set).to.equal(0);
    });
  });

  describe('framing', () => {
    const script = () => [
      set('k', 'value-1', 1, 1),
      frame(0x0d, { key: 'k', opaque: 2 }),
      frame(0x0d, { key: 'missing', opaque: 3 }),
      frame(0x05, { key: 'n', extras: counterExtras(2n, 40n, 0), opaque: 4 }),
      frame(0x0e, { key: 'k', value: '!', opaque: 5 }),
      frame(0x00, { key: 'k', opaque: 6 }),
      frame(0x10, { key: 'sizes', opaque: 7 }),
      frame(0x0a, { opaque: 8 }),
    ];

    it('gives the same replies whether the input comes whole, byte by byte, or split at any boundary', () => {
      const all = Buffer.concat(script());
      const whole = harness().feed(all);
      const bytewise = harness().feedBytewise(all);
      expect(bytewise.hex()).to.equal(whole.hex());
      for (let cut = 1; cut < all.length; cut++) {
        const h = harness().feed(all.subarray(0, cut), all.subarray(cut));
        expect(h.hex(), `split at ${cut}`).to.equal(whole.hex());
      }
      expect(whole.responses().map((r) => r.opaque)).to.deep.equal([1, 2, 4, 5, 6, 7, 7, 8]);
    });

    it('closes without a reply on a bad magic after a valid frame (garbage), keeping the earlier reply', () => {
      const h = harness().feed(Buffer.concat([frame(0x0a, { opaque: 1 }), Buffer.from('garbage garbage garbage garbage')]));
      expect(h.responses().map((r) => r.opcode)).to.deep.equal([0x0a]);
      expect(h.socket.ended).to.equal(true);
      h.feed(frame(0x0a, { opaque: 2 }));
      expect(h.responses()).to.have.length(1);
    });

    it('waits for the rest of a truncated header and does nothing with it', () => {
      const h = harness().feed(frame(0x0a, { opaque: 1 }).subarray(0, 10));
      expect(h.socket.bytes.length).to.equal(0);
      expect(h.socket.ended).to.equal(false);
    });

    it('key + extras longer than the body is "unknown command" and a close (memcached)', () => {
      const h = harness().feed(frame(0x00, { key: 'abcd', bodyLength: 2, opaque: 9 }), frame(0x0a));
      const [r] = h.responses();
      expect(r!.status).to.equal(0x81);
      expect(h.responses()).to.have.length(1);
      expect(h.socket.ended).to.equal(true);
    });

    it('wrong extras, empty keys, keys over 250 bytes and bodies on body-less commands are "invalid arguments" and a close', () => {
      const bad = [
        frame(0x00, { key: 'zz', extras: u32(0), opaque: 9 }),
        frame(0x00, { opaque: 9 }),
        frame(0x00, { key: 'k'.repeat(251), opaque: 9 }),
        frame(0x0a, { key: 'x', opaque: 9 }),
        frame(0x05, { key: 'n', extras: u32(1), opaque: 9 }),
        frame(0x01, { extras: storeExtras(0, 0), value: 'x', opaque: 9 }),
        frame(0x04, { key: 'x', extras: u32(0), opaque: 9 }),
        frame(0x1c, { key: 't', extras: u32(100), value: 'zz', opaque: 9 }),
        frame(0x10, { key: 'reset', value: 'zz', opaque: 9 }),
        frame(0x08, { extras: Buffer.alloc(2), opaque: 9 }),
        frame(0x20, { key: 'x', opaque: 9 }),
      ];
      for (const b of bad) {
        const h = harness().feed(b, frame(0x0a));
        // memcached's reply, with this frame's opcode.
        const expected = '81' + b.subarray(1, 2).toString('hex') + REAL.invalid.slice(4);
        expect(h.hex(), b.subarray(0, 8).toString('hex')).to.equal(expected);
        expect(h.socket.ended).to.equal(true);
      }
    });
  });

  describe('back-pressure', () => {
    it('stops reading when the socket buffer is full and resumes on drain', () => {
      const h = harness();
      h.socket.write = (b: Buffer | string) => {
        h.socket.written.push(Buffer.from(b as Buffer));
        return false;
      };
      h.feed(frame(0x0a, { opaque: 1 }));
      expect(h.socket.paused).to.equal(true);
      h.socket.emit('drain');
      expect(h.socket.paused).to.equal(false);
      expect(h.responses()).to.have.length(1);
    });
  });

  describe('asynchronous stores (disk tier)', () => {
    it('keeps replies in request order and pauses reading while a command waits', async () => {
      const fx = makeCacheFixture({ wrap: asyncStore });
      const h = harness(OPEN, fx);
      h.feed(
        Buffer.concat([
          set('a', '1', 0, 1),
          frame(0x02, { key: 'a', extras: storeExtras(0, 0), value: '2', opaque: 2 }),
          frame(0x0c, { key: 'a', opaque: 3 }),
          frame(0x05, { key: 'n', extras: counterExtras(1n, 7n, 0), opaque: 4 }),
          frame(0x05, { key: 'n', extras: counterExtras(1n, 7n, 0), opaque: 5 }),
          frame(0x1c, { key: 'a', extras: u32(10), opaque: 6 }),
          frame(0x04, { key: 'a', opaque: 7 }),
          frame(0x0d, { key: 'a', opaque: 8 }),
          frame(0x0a, { opaque: 9 }),
        ]),
      );
      expect(h.socket.paused).to.equal(true);
      const rs = await h.settle(8);
      expect(rs.map((r) => [r.opaque, r.status])).to.deep.equal([
        [1, 0],
        [2, 2],
        [3, 0],
        [4, 0],
        [5, 0],
        [6, 0],
        [7, 0],
        [9, 0],
      ]);
      expect(rs[2]!.cas).to.equal(rs[0]!.cas);
      expect(rs[3]!.value.readBigUInt64BE(0)).to.equal(7n);
      expect(rs[4]!.value.readBigUInt64BE(0)).to.equal(8n);
      expect(rs[4]!.cas > rs[3]!.cas).to.equal(true);
      expect(h.socket.paused).to.equal(false);
    });

    it('reads the new cas back when the write happened after a disk read', async () => {
      const fx = makeCacheFixture({ wrap: asyncStore });
      const h = harness(OPEN, fx);
      h.feed(set('r', 'x'), frame(0x03, { key: 'r', extras: storeExtras(0, 0), value: 'y', opaque: 2 }), frame(0x00, { key: 'r', opaque: 3 }));
      const [, rep, get] = await h.settle(3);
      expect(rep!.status).to.equal(0);
      expect(rep!.cas).to.equal(get!.cas);
      expect(get!.value.toString()).to.equal('y');
    });
  });

  describe('SASL PLAIN', () => {
    const auth = (data: string, opaque = 1, mech = 'PLAIN') => frame(0x21, { key: mech, value: data, opaque });

    it('refuses data commands before authentication with "Auth failure." and a close; version is allowed', () => {
      const h = harness(SASL).feed(frame(0x0b, { opaque: 1 }), frame(0x00, { key: 'a', opaque: 2 }), frame(0x0a, { opaque: 3 }));
      const rs = h.responses();
      expect(rs.map((r) => [r.opcode, r.status])).to.deep.equal([
        [0x0b, 0],
        [0x00, 0x20],
      ]);
      expect(rs[1]!.value.toString()).to.equal('Auth failure.');
      expect(h.socket.ended).to.equal(true);
    });

    it('lists PLAIN, authenticates, then serves data commands; counts auth_cmds/auth_errors', () => {
      const fx = makeCacheFixture();
      const h = harness(SASL, fx).feed(
        frame(0x20, { opaque: 1 }),
        auth('\0alice\0wrong', 2),
        auth('\0alice\0s3cret', 3),
        set('a', 'v', 0, 4),
        frame(0x00, { key: 'a', opaque: 5 }),
      );
      const [list, bad, good, s, g] = h.responses();
      expect(list!.value.toString()).to.equal('PLAIN');
      expect(bad!.status).to.equal(0x20);
      expect(bad!.value.toString()).to.equal('Auth failure.');
      expect(good!.status).to.equal(0);
      expect(good!.value.toString()).to.equal('Authenticated');
      expect(s!.status).to.equal(0);
      expect(g!.value.toString()).to.equal('v');
      expect(fx.context.stats.auth_cmds).to.equal(2);
      expect(fx.context.stats.auth_errors).to.equal(1);
    });

    it('an empty initial response is "auth continue" (0x21) and SASL_STEP completes it; a step out of turn fails', () => {
      const h = harness(SASL).feed(
        frame(0x22, { key: 'PLAIN', value: '\0alice\0s3cret', opaque: 1 }),
        auth('', 2),
        frame(0x22, { key: 'PLAIN', value: '\0alice\0s3cret', opaque: 3 }),
        frame(0x0a, { opaque: 4 }),
      );
      const rs = h.responses();
      expect(rs.map((r) => [r.opcode, r.status, r.value.toString()])).to.deep.equal([
        [0x22, 0x20, 'Auth failure.'],
        [0x21, 0x21, ''],
        [0x22, 0, 'Authenticated'],
        [0x0a, 0, ''],
      ]);
    });

    it('matches Cyrus: mechanism names are case-insensitive, authzid must equal the user, a failed retry de-authenticates', () => {
      const h = harness(SASL).feed(
        auth('alice\0alice\0s3cret', 1, 'plain'),
        auth('bob\0alice\0s3cret', 2),
        auth('\0alice\0s3cret', 3, 'CRAM-MD5'),
        frame(0x00, { key: 'a', opaque: 4 }),
      );
      const rs = h.responses();
      expect(rs.map((r) => r.status)).to.deep.equal([0, 0x20, 0x20, 0x20]);
      expect(h.socket.ended).to.equal(true);
    });

    it('a mechanism name over 32 bytes is "invalid arguments" without a close; malformed PLAIN data fails', () => {
      const h = harness(SASL).feed(auth('x', 1, 'X'.repeat(40)), auth('no-nul-here', 2), frame(0x0b, { opaque: 3 }));
      expect(h.responses().map((r) => r.status)).to.deep.equal([0x04, 0x20, 0]);
      expect(h.socket.ended).to.equal(false);
    });

    it('without SASL the SASL opcodes are "unknown command" and the body is skipped', () => {
      const h = harness(OPEN).feed(frame(0x20, { opaque: 1 }), auth('\0a\0b', 2), frame(0x0a, { opaque: 3 }));
      expect(h.responses().map((r) => [r.opcode, r.status])).to.deep.equal([
        [0x20, 0x81],
        [0x21, 0x81],
        [0x0a, 0],
      ]);
    });
  });
});
