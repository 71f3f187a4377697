import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/domain/ports/logger.js';
import { loadSettings, type Overrides } from '../../src/infrastructure/config.js';
import { RatMemcachedServer } from '../../src/infrastructure/server.js';
import { AsciiSession } from '../../src/adapters/ascii/ascii-session.js';
import { MetaCommands } from '../../src/adapters/ascii/meta-commands.js';
import { StreamingCommands, type StreamingOptions } from '../../src/adapters/ascii/streaming-commands.js';
import { StreamingClient, StreamingError, type StreamProgress } from '../../src/client/streaming-client.js';
import { TcpClient } from '../support/tcp-client.js';

/**
 * The streaming extension over real TCP. The server's use-cases (and store:
 * memory, or memory over LevelDB) come from RatMemcachedServer; the text
 * sessions with the extensions are served on a listener of the test's own,
 * which also hands the test the server side of each socket, to see what the
 * server buffers for a slow reader.
 */
interface StreamingServer {
  port: number;
  streaming: StreamingCommands;
  serverSockets: net.Socket[];
  stop(): Promise<void>;
}

async function startStreamingServer(overrides: Overrides, options: Partial<StreamingOptions>): Promise<StreamingServer> {
  const settings = loadSettings([], {
    ...overrides,
    server: { port: 0, host: '127.0.0.1', shutdown_grace_ms: 200, ...overrides.server },
    logging: { enable_logging: false },
  });
  const server = new RatMemcachedServer(settings, silentLogger);
  await server.start();
  const uc = server.useCases;
  const streaming = new StreamingCommands(uc, options);
  const meta = new MetaCommands(uc);
  const serverSockets: net.Socket[] = [];
  const listener = net.createServer((sock) => {
    serverSockets.push(sock);
    const session = new AsciiSession(sock, uc, { maxLineLength: 64 * 1024, shutdownEnabled: false, requestShutdown: () => {}, extensions: [meta, streaming] });
    sock.on('data', (d: Buffer) => session.onData(d));
    sock.on('close', () => session.onClose());
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  return {
    port: (listener.address() as net.AddressInfo).port,
    streaming,
    serverSockets,
    async stop() {
      for (const s of serverSockets) s.destroy();
      await new Promise((r) => listener.close(r));
      await server.stop();
    },
  };
}

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    b.writeUInt32LE(x, i);
  }
  return b;
}

const MiB = 1024 * 1024;

for (const tier of ['memory', 'memory over LevelDB'] as const) {
  describe(`e2e: streaming a 20 MiB value (${tier})`, function () {
    this.timeout(60_000);
    let srv: StreamingServer;
    let dir: string | undefined;

    before(async () => {
      const overrides: Overrides = { l1: { max_memory: 128 * MiB } };
      if (tier !== 'memory') {
        dir = mkdtempSync(path.join(tmpdir(), 'rat-streaming-'));
        overrides.l2 = { enable_l2_cache: true, data_dir: dir, clear_on_startup: true };
      }
      srv = await startStreamingServer(overrides, { largeValues: true, maxValueSize: 32 * MiB });
    });
    after(async () => {
      await srv.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('uploads in chunks, reads back with streaming_get and with get, byte-identical', async () => {
      const value = pattern(20 * MiB, 7);
      const c = await StreamingClient.connect(srv.port);
      const progress: StreamProgress[] = [];
      await c.upload('big20', value, { flags: 9, chunkSize: 512 * 1024, onProgress: (p) => progress.push(p) });
      expect(progress.length).to.equal(40);
      expect(progress.at(-1)).to.deep.equal({ key: 'big20', bytes: 20 * MiB, totalBytes: 20 * MiB, chunks: 40, chunkCount: 40 });

      const chunks: Buffer[] = [];
      let reads = 0;
      for await (const chunk of c.streamGet('big20', { chunkSize: 256 * 1024, onProgress: () => reads++ })) chunks.push(chunk);
      expect(reads).to.equal(80);
      expect(Buffer.concat(chunks).equals(value)).to.equal(true);
      expect(await c.getAll('missing')).to.equal(undefined);
      c.close();

      const raw = await TcpClient.connect(srv.port);
      raw.send('get big20\r\n');
      const head = await raw.readUntil('\r\n');
      expect(head).to.equal(`VALUE big20 9 ${20 * MiB}\r\n`);
      const body = await raw.readBytes(20 * MiB + 7, 30_000);
      expect(body.subarray(0, 20 * MiB).equals(value)).to.equal(true);
      expect(body.subarray(20 * MiB).toString('latin1')).to.equal('\r\nEND\r\n');
      raw.close();
      expect(srv.streaming.bufferedBytes).to.equal(0);
    });

    it('the client reports the server refusing an upload above max_value_size', async () => {
      const c = await StreamingClient.connect(srv.port);
      const err = await c.upload('huge', Buffer.alloc(33 * MiB)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(StreamingError);
      expect((err as StreamingError).reply).to.equal('SERVER_ERROR object too large for cache');
      expect(await c.getAll('huge')).to.equal(undefined);
      c.close();
    });
  });
}

describe('e2e: streaming backpressure and abandoned uploads', function () {
  this.timeout(30_000);
  let srv: StreamingServer;

  before(async () => {
    srv = await startStreamingServer({ l1: { max_memory: 64 * MiB }, server: { item_size_max: 16 * MiB } }, {});
  });
  after(async () => {
    await srv.stop();
  });

  it('a reader that stops reading makes the server hold only a few chunks, then gets every byte', async () => {
    const value = pattern(8 * MiB, 3);
    const up = await StreamingClient.connect(srv.port);
    await up.upload('slow', value);
    up.close();

    const chunk = 64 * 1024;
    const before = srv.serverSockets.length;
    const client = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    client.pause();
    client.write(`streaming_get slow ${chunk}\r\n`);
    // Wait until the server side is connected and stuck waiting for the reader (bounded).
    let server: net.Socket | undefined;
    let stable = 0;
    let last = -1;
    for (let i = 0; i < 400 && stable < 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
      server = srv.serverSockets[before];
      if (!server) continue;
      const queued = server.writableLength;
      stable = queued === last && server.bytesWritten > 0 ? stable + 1 : 0;
      last = queued;
    }
    expect(server, 'server socket').to.not.equal(undefined);
    // What the server process holds for this reader: its socket buffer, a few chunks at most.
    expect(server!.writableLength).to.be.at.most(4 * chunk);
    // The kernel took some, but far from the whole 8 MiB value.
    expect(server!.bytesWritten).to.be.below(value.length);

    client.resume();
    const total = value.length + Math.ceil(value.length / chunk) * 40 + 60;
    for (let i = 0; i < 1000 && !Buffer.concat(received).subarray(-18).toString('latin1').includes('STREAM_END slow'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const out = Buffer.concat(received);
    expect(out.length).to.be.below(total);
    expect(out.subarray(-17).toString('latin1')).to.equal('STREAM_END slow\r\n');
    const parts: Buffer[] = [];
    let pos = out.indexOf('\r\n') + 2;
    while (out.toString('latin1', pos, pos + 12) === 'STREAM_DATA ') {
      const eol = out.indexOf('\r\n', pos);
      const len = Number(out.toString('latin1', pos, eol).split(' ')[3]);
      parts.push(out.subarray(eol + 2, eol + 2 + len));
      pos = eol + 2 + len + 2;
    }
    expect(Buffer.concat(parts).equals(value)).to.equal(true);
    client.destroy();
  });

  it('an upload abandoned by closing the connection leaves nothing behind', async () => {
    const c = await TcpClient.connect(srv.port);
    c.send('set_begin gone 300000 3 0\r\nset_data gone 0 100000\r\n');
    c.send(Buffer.alloc(100000, 1));
    c.send('\r\nset_data gone 1 100000\r\n');
    c.send(Buffer.alloc(100000, 2));
    c.send('\r\n');
    expect(await c.readBytes(12)).to.deep.equal(Buffer.from('OK\r\nOK\r\nOK\r\n'));
    expect(srv.streaming.bufferedBytes).to.equal(200000);
    c.close();
    for (let i = 0; i < 200 && srv.streaming.openUploads > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(srv.streaming.openUploads).to.equal(0);
    expect(srv.streaming.bufferedBytes).to.equal(0);
    const d = await TcpClient.connect(srv.port);
    expect(await d.exchange('get gone\r\nmg gone\r\n', 'END\r\nEN\r\n')).to.equal('END\r\nEN\r\n');
    d.close();
  });
});
