import { expect } from 'chai';
import type { Socket } from 'node:net';
import { makeCacheFixture, makeSession, type SessionHarness } from '../../support/cache-fixture.js';
import { FakeSocket } from '../../support/fake-socket.js';
import { AsciiSession } from '../../../src/adapters/ascii/ascii-session.js';
import { MetaCommands } from '../../../src/adapters/ascii/meta-commands.js';
import { StreamingCommands, type StreamingOptions } from '../../../src/adapters/ascii/streaming-commands.js';
import type { CacheSettings } from '../../../src/application/cache-context.js';

function harness(options: Partial<StreamingOptions> = {}, settings: Partial<CacheSettings> = {}) {
  const fx = makeCacheFixture(settings);
  const streaming = new StreamingCommands(fx.useCases, options);
  const h = makeSession({ extensions: [new MetaCommands(fx.useCases), streaming] }, fx);
  return { ...h, streaming };
}

/** Lets pending promise chains and timers run until `done()` (bounded). */
async function settle(done: () => boolean, rounds = 2_000): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await new Promise((r) => setImmediate(r));
}

async function exchange(h: SessionHarness, input: string | Buffer, until: string): Promise<string> {
  h.session.onData(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  await settle(() => h.socket.output.endsWith(until));
  return h.socket.output;
}

describe('streaming extension: streaming_get', () => {
  it('frames a value in chunks: BEGIN, DATA per chunk, END (sget is an alias)', async () => {
    const h = harness();
    const out = await exchange(h, 'set k 3 0 10\r\n0123456789\r\nsget k 4\r\nmn\r\n', 'MN\r\n');
    expect(out).to.equal(
      'STORED\r\nSTREAM_BEGIN k 10 3\r\nSTREAM_DATA k 0 4\r\n0123\r\nSTREAM_DATA k 1 4\r\n4567\r\nSTREAM_DATA k 2 2\r\n89\r\nSTREAM_END k\r\nMN\r\n',
    );
  });

  it('a miss, an empty value, the default chunk size', async () => {
    const h = harness();
    const big = 'x'.repeat(40_000);
    const out = await exchange(
      h,
      `streaming_get nope\r\nset e 0 0 0\r\n\r\nstreaming_get e\r\nset b 0 0 40000\r\n${big}\r\nstreaming_get b\r\nmn\r\n`,
      'MN\r\n',
    );
    expect(out).to.equal(
      'STREAM_ERROR NOT_FOUND nope\r\nSTORED\r\nSTREAM_BEGIN e 0 0\r\nSTREAM_END e\r\nSTORED\r\n' +
        'STREAM_BEGIN b 40000 3\r\n' +
        `STREAM_DATA b 0 16384\r\n${big.slice(0, 16384)}\r\nSTREAM_DATA b 1 16384\r\n${big.slice(0, 16384)}\r\nSTREAM_DATA b 2 7232\r\n${big.slice(0, 7232)}\r\n` +
        'STREAM_END b\r\nMN\r\n',
    );
  });

  it('refuses a chunk size of 0, negative, non-numeric or above the limit; wrong arity is ERROR', async () => {
    const h = harness({ maxChunkSize: 1024 });
    const out = await exchange(h, `sget k 0\r\nsget k -5\r\nsget k abc\r\nsget k 1025\r\nsget\r\nsget k 1 2\r\nsget ${'k'.repeat(251)}\r\nmn\r\n`, 'MN\r\n');
    expect(out).to.equal('CLIENT_ERROR invalid chunk size\r\n'.repeat(4) + 'ERROR\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nMN\r\n');
  });

  it('counts as a get', async () => {
    const h = harness();
    await exchange(h, 'sget a\r\nset a 0 0 1\r\nx\r\nsget a\r\nmn\r\n', 'MN\r\n');
    expect(h.context.stats.get_hits).to.equal(1);
    expect(h.context.stats.get_misses).to.equal(1);
  });
});

/**
 * A socket whose peer reads slowly: write() reports false once `highWater`
 * bytes are unread, and 'drain' comes only when the test reads.
 */
class SlowSocket extends FakeSocket {
  unread = 0;
  maxUnread = 0;
  writableNeedDrain = false;
  private received: Buffer[] = [];
  constructor(private readonly highWater: number) {
    super();
  }
  override write(data: Buffer | string): boolean {
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.received.push(Buffer.from(b));
    this.unread += b.length;
    this.maxUnread = Math.max(this.maxUnread, this.unread);
    if (this.unread >= this.highWater) this.writableNeedDrain = true;
    return !this.writableNeedDrain;
  }
  /** The peer reads up to n bytes. */
  read(n: number): void {
    this.unread = Math.max(0, this.unread - n);
    if (this.writableNeedDrain && this.unread < this.highWater) {
      this.writableNeedDrain = false;
      this.emit('drain');
    }
  }
  get all(): Buffer {
    return Buffer.concat(this.received);
  }
}

describe('streaming extension: backpressure', () => {
  it('a slow reader never has more than about one chunk beyond the high-water mark queued', async () => {
    const fx = makeCacheFixture({ itemSizeMax: 16 * 1024 * 1024 });
    const value = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    fx.store.set({ key: 'big', value, flags: 0, exptime: 0, cas: 1 });
    const socket = new SlowSocket(64 * 1024);
    const session = new AsciiSession(socket as unknown as Socket, fx.useCases, {
      maxLineLength: 4096,
      shutdownEnabled: false,
      requestShutdown: () => {},
      extensions: [new StreamingCommands(fx.useCases)],
    });
    const chunk = 32 * 1024;
    session.onData(Buffer.from(`streaming_get big ${chunk}\r\n`));
    // Read 16 KiB per turn until the whole stream arrived (bounded).
    for (let i = 0; i < 20_000 && !socket.all.subarray(-20).toString('latin1').endsWith('STREAM_END big\r\n'); i++) {
      await new Promise((r) => setImmediate(r));
      socket.read(16 * 1024);
    }
    const out = socket.all;
    expect(out.subarray(-16).toString('latin1')).to.equal('STREAM_END big\r\n');
    expect(socket.maxUnread).to.be.at.most(64 * 1024 + chunk + 200);
    // Reassemble and compare.
    const parts: Buffer[] = [];
    let pos = out.indexOf('\r\n') + 2;
    for (let n = 0; n < value.length / chunk; n++) {
      const eol = out.indexOf('\r\n', pos);
      const len = Number(out.toString('latin1', pos, eol).split(' ')[3]);
      parts.push(out.subarray(eol + 2, eol + 2 + len));
      pos = eol + 2 + len + 2;
    }
    expect(Buffer.concat(parts).equals(value)).to.equal(true);
  });
});

describe('streaming extension: chunked upload', () => {
  it('chunks in any order become the value at set_end, not before', async () => {
    const h = harness();
    const out = await exchange(
      h,
      'set_begin up 10 3 42 0\r\nset_data up 2 2\r\n89\r\nset_data up 0 4\r\n0123\r\nget up\r\nset_data up 1 4\r\n4567\r\nget up\r\nset_end up\r\ngets up\r\nmn\r\n',
      'MN\r\n',
    );
    expect(out).to.equal('OK\r\nOK\r\nOK\r\nEND\r\nOK\r\nEND\r\nSTORED\r\nVALUE up 42 10 1\r\n0123456789\r\nEND\r\nMN\r\n');
    expect(h.streaming.bufferedBytes).to.equal(0);
  });

  it('an empty value is one empty chunk; exptime applies', async () => {
    const h = harness();
    await exchange(h, 'set_begin e 0 1 0 10\r\nset_data e 0 0\r\n\r\nset_end e\r\nmg e v t\r\n', 'VA 0 t10\r\n\r\n');
  });

  it('replies to every misuse and keeps the connection usable', async () => {
    const h = harness({ maxChunkSize: 8 });
    const input =
      'set_data nope 0 1\r\nx\r\n' + // unknown upload (data swallowed)
      `set_data ${'k'.repeat(251)} 0 1\r\nx\r\n` + // key too long (data swallowed)
      'set_end nope\r\n' +
      'set_begin u 10 3 0\r\n' +
      'set_data u 3 1\r\nx\r\n' + // out of range
      'set_data u 0 4\r\nabcd\r\n' +
      'set_data u 0 4\r\nabcd\r\n' + // duplicate
      'set_data u 1 9\r\n123456789\r\n' + // above maxChunkSize
      'set_data u 1 7\r\n1234567\r\n' + // would exceed the total
      'set_data u 1 2\r\nabc\r\n' + // bad data chunk
      'set_end u\r\n' + // incomplete: the upload is gone
      'set_end u\r\n' +
      'set_begin u 4 2 0\r\nset_data u 0 1\r\na\r\nset_data u 1 1\r\nb\r\nset_end u\r\n' + // 2 of 4 bytes
      'set_begin u 10 0 0\r\nset_begin u 10 11 0\r\nset_begin u 100 2 0\r\nset_begin u x 1 0\r\nset_begin u 1 1\r\n' +
      'get u\r\nmn\r\n';
    const out = await exchange(h, input, 'MN\r\n');
    expect(out).to.equal(
      'CLIENT_ERROR unknown upload\r\nCLIENT_ERROR bad command line format\r\nCLIENT_ERROR unknown upload\r\nOK\r\nCLIENT_ERROR chunk out of range\r\nOK\r\n' +
        'CLIENT_ERROR duplicate chunk\r\nCLIENT_ERROR chunk too large\r\nCLIENT_ERROR upload size mismatch\r\n' +
        'CLIENT_ERROR bad data chunk\r\nERROR\r\n' +
        'CLIENT_ERROR upload incomplete\r\nCLIENT_ERROR unknown upload\r\n' +
        'OK\r\nOK\r\nOK\r\nCLIENT_ERROR upload size mismatch\r\n' +
        'CLIENT_ERROR invalid chunk count\r\nCLIENT_ERROR invalid chunk count\r\nCLIENT_ERROR invalid chunk count\r\n' +
        'CLIENT_ERROR bad command line format\r\nERROR\r\nEND\r\nMN\r\n',
    );
    expect(h.streaming.bufferedBytes).to.equal(0);
    expect(h.streaming.openUploads).to.equal(0);
  });

  it('values above the item size limit only when large values are allowed, up to maxValueSize', async () => {
    const small = harness({ largeValues: false }, { itemSizeMax: 1024 });
    expect(await exchange(small, 'set_begin big 5000 1 0\r\nmn\r\n', 'MN\r\n')).to.equal('SERVER_ERROR object too large for cache\r\nMN\r\n');
    const large = harness({ largeValues: true, maxValueSize: 6000 }, { itemSizeMax: 1024 });
    const v = 'v'.repeat(5000);
    const out = await exchange(
      large,
      `set_begin big 5000 2 0\r\nset_data big 0 2500\r\n${v.slice(2500)}\r\nset_data big 1 2500\r\n${v.slice(2500)}\r\nset_end big\r\nset_begin b2 6001 2 0\r\nmn\r\n`,
      'MN\r\n',
    );
    expect(out).to.equal('OK\r\nOK\r\nOK\r\nSTORED\r\nSERVER_ERROR object too large for cache\r\nMN\r\n');
    expect(large.store.get('big')?.value.length).to.equal(5000);
  });

  it('set_begin again restarts the upload; set_abort drops it; uploads per connection are bounded', async () => {
    const h = harness({ maxUploadsPerConnection: 2 });
    const out = await exchange(
      h,
      'set_begin a 2 1 0\r\nset_data a 0 2\r\nxx\r\nset_begin a 2 1 0\r\nset_data a 0 2\r\nyy\r\nset_begin b 1 1 0\r\nset_begin c 1 1 0\r\nset_abort b\r\nset_abort b\r\nset_begin c 1 1 0\r\nset_end a\r\nget a\r\n',
      'END\r\n',
    );
    expect(out).to.equal(
      'OK\r\nOK\r\nOK\r\nOK\r\nOK\r\nSERVER_ERROR too many uploads in progress\r\nOK\r\nCLIENT_ERROR unknown upload\r\nOK\r\nSTORED\r\nVALUE a 0 2\r\nyy\r\nEND\r\n',
    );
    expect(h.streaming.bufferedBytes).to.equal(0);
  });

  it('an idle upload is dropped with its data, and the next command on it says so once', async () => {
    const h = harness({ uploadIdleTimeoutMs: 5 });
    await exchange(h, 'set_begin idle 4 2 0\r\nset_data idle 0 2\r\nab\r\n', 'OK\r\nOK\r\n');
    expect(h.streaming.bufferedBytes).to.equal(2);
    for (let i = 0; i < 200 && h.streaming.openUploads > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(h.streaming.openUploads).to.equal(0);
    expect(h.streaming.bufferedBytes).to.equal(0);
    const out = await exchange(h, 'set_data idle 1 2\r\ncd\r\nset_end idle\r\nget idle\r\n', 'END\r\n');
    expect(out).to.equal('OK\r\nOK\r\nSERVER_ERROR upload timed out\r\nCLIENT_ERROR unknown upload\r\nEND\r\n');
  });

  it('closing the connection frees its uploads', async () => {
    const h = harness();
    await exchange(h, 'set_begin c 4 2 0\r\nset_data c 0 2\r\nab\r\n', 'OK\r\nOK\r\n');
    expect(h.streaming.bufferedBytes).to.equal(2);
    h.socket.emit('close');
    h.session.onClose();
    expect(h.streaming.bufferedBytes).to.equal(0);
    expect(h.streaming.openUploads).to.equal(0);
    expect(h.store.get('c')).to.equal(undefined);
  });
});
