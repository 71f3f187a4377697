import { expect } from 'chai';
import net from 'node:net';
import { AsciiSession } from '../../src/adapters/ascii/ascii-session.js';
import { MetaCommands } from '../../src/adapters/ascii/meta-commands.js';
import { againstExternalServer, startE2EServer, type E2EServer } from '../support/server-fixture.js';
import { TcpClient } from '../support/tcp-client.js';

/**
 * The meta commands over TCP, pipelined. Expected bytes are memcached
 * 1.6.18's: with E2E_TARGET_PORT=<port of a fresh memcached -U 0> the same
 * requests go to it instead. In-process, the server's use-cases are served
 * with the meta extension on a listener of the test's own (the container
 * wiring is not needed for it).
 */
describe('e2e: meta commands over TCP', function () {
  this.timeout(20_000);
  let srv: E2EServer;
  let listener: net.Server | undefined;
  let port: number;
  const sockets: net.Socket[] = [];
  const clients: TcpClient[] = [];
  let seq = 0;
  const key = (name: string) => `meta:${name}:${process.pid}:${++seq}`;

  before(async () => {
    srv = await startE2EServer();
    if (againstExternalServer()) {
      port = srv.port;
      return;
    }
    const uc = srv.server!.useCases;
    const meta = new MetaCommands(uc);
    listener = net.createServer((sock) => {
      sockets.push(sock);
      const session = new AsciiSession(sock, uc, { maxLineLength: 64 * 1024, shutdownEnabled: false, requestShutdown: () => {}, extensions: [meta] });
      sock.on('data', (d: Buffer) => session.onData(d));
      sock.on('close', () => session.onClose());
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
    port = (listener.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of sockets) s.destroy();
    if (listener) await new Promise((r) => listener!.close(r));
    await srv.stop();
  });

  async function connect(): Promise<TcpClient> {
    const c = await TcpClient.connect(port);
    clients.push(c);
    return c;
  }

  it('a pipeline of quiet commands ended by mn answers only misses and failures, in order', async () => {
    const c = await connect();
    const [a, b, n] = [key('a'), key('b'), key('n')];
    const request =
      `mg ${a} v q O1\r\nms ${a} 3 q T0 F5\r\nabc\r\nmg ${a} v f q O2\r\nms ${b} 1 ME q\r\nx\r\nms ${b} 1 ME q O3\r\ny\r\n` +
      `md ${b} q\r\nmd ${b} q O4\r\nma ${n} q O5\r\nma ${n} N0 J10 q\r\nma ${n} v\r\nmn\r\n`;
    // q does not hide the reply of an item ma N created.
    const expected = 'VA 3 f5 O2\r\nabc\r\nNS O3\r\nNF O4\r\nNF O5\r\nHD\r\nVA 2\r\n11\r\nMN\r\n';
    expect(await c.exchange(request, expected)).to.equal(expected);
  });

  it('classic and meta commands see the same values, flags, TTLs and cas', async () => {
    const c = await connect();
    const k = key('shared');
    c.send(`set ${k} 7 0 5\r\nhello\r\ngets ${k}\r\n`);
    const gets = await c.readUntil('END\r\n');
    const cas = /VALUE \S+ 7 5 (\d+)\r\n/.exec(gets)![1];
    const r1 = await c.exchange(`mg ${k} v f c\r\n`, `VA 5 f7 c${cas}\r\nhello\r\n`);
    expect(r1).to.equal(`VA 5 f7 c${cas}\r\nhello\r\n`);
    // A meta set with the cas from gets, then classic cas with the cas from ms c.
    c.send(`ms ${k} 3 C${cas} F8 c\r\nnew\r\n`);
    const ms = await c.readUntil('\r\n');
    const cas2 = /^HD c(\d+)\r\n$/.exec(ms)![1];
    expect(await c.exchange(`cas ${k} 9 0 2 ${cas}\r\nzz\r\n`, 'EXISTS\r\n')).to.equal('EXISTS\r\n');
    expect(await c.exchange(`cas ${k} 9 0 2 ${cas2}\r\nzz\r\n`, 'STORED\r\n')).to.equal('STORED\r\n');
    expect(
      await c.exchange(`mg ${k} v f t\r\nincr ${k} 1\r\n`, 'VA 2 f9 t-1\r\nzz\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n'),
    ).to.equal('VA 2 f9 t-1\r\nzz\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n');
    expect(await c.exchange(`md ${k}\r\nget ${k}\r\n`, 'HD\r\nEND\r\n')).to.equal('HD\r\nEND\r\n');
  });

  it('stale-while-revalidate: md I, one winner, the others see Z X until a new value', async () => {
    const [c1, c2] = [await connect(), await connect()];
    const k = key('swr');
    expect(await c1.exchange(`ms ${k} 3 T100\r\nold\r\nmd ${k} I T30\r\n`, 'HD\r\nHD\r\n')).to.equal('HD\r\nHD\r\n');
    expect(await c1.exchange(`mg ${k} v t\r\n`, 'VA 3 t30 X W\r\nold\r\n')).to.equal('VA 3 t30 X W\r\nold\r\n');
    expect(await c2.exchange(`mg ${k} v\r\n`, 'VA 3 Z X\r\nold\r\n')).to.equal('VA 3 Z X\r\nold\r\n');
    expect(await c1.exchange(`ms ${k} 3 T100\r\nnew\r\nmg ${k} v\r\n`, 'HD\r\nVA 3\r\nnew\r\n')).to.equal('HD\r\nVA 3\r\nnew\r\n');
  });
  it('mg with u neither marks the item fetched nor bumps it', async () => {
    const c = await connect();
    const k = key('u');
    const request = `ms ${k} 1\r\nx\r\nmg ${k} s t u h\r\nmg ${k} u\r\nmg ${k} s t h\r\nmg ${k} h\r\n`;
    const expected = 'HD\r\nHD s1 t-1 h0\r\nHD\r\nHD s1 t-1 h0\r\nHD h1\r\n';
    expect(await c.exchange(request, expected)).to.equal(expected);
  });

  it('flags 1.6.18 does not take on a command are refused with its error (x belongs to md only)', async () => {
    const c = await connect();
    const k = key('x');
    const request = `ms ${k} 1\r\n7\r\nmg ${k} x\r\nms ${k} 1 x\r\n8\r\nma ${k} x\r\nmg ${k} v\r\nmn\r\n`;
    const expected = 'HD\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid flag\r\nCLIENT_ERROR invalid or duplicate flag\r\nVA 1\r\n7\r\nMN\r\n';
    expect(await c.exchange(request, expected)).to.equal(expected);
  });

  it('a line with several faults reports the one 1.6.18 reports first, with its side effects', async () => {
    const c = await connect();
    const [a, n, v] = [key('fa'), key('fn'), key('fv')];
    const long = 'O' + 'o'.repeat(32);
    const request =
      `ma ${a} MX ${long}\r\nma ${a} ${long} MX\r\nms ${a} 1 ${long} MX\r\nx\r\nms @@@ 1 b MX\r\nx\r\nmg @@@ Tabc b\r\n` +
      `md ${a} ${long}\r\n` +
      // ma does the arithmetic (N creates the item) before it meets the opaque; mg's N creates too.
      `ma ${n} N0 ${long}\r\nma ${n} v\r\nmg ${v} N100 ${long}\r\nmg ${v} s h\r\nmn\r\n`;
    const expected =
      'CLIENT_ERROR invalid mode for ma M token\r\nCLIENT_ERROR invalid mode for ma M token\r\n' +
      'CLIENT_ERROR invalid mode for ms M token\r\nCLIENT_ERROR error decoding key\r\nCLIENT_ERROR error decoding key\r\n' +
      'CLIENT_ERROR opaque token too long\r\n' +
      'CLIENT_ERROR opaque token too long\r\nVA 1\r\n1\r\nCLIENT_ERROR opaque token too long\r\nHD s0 h0\r\nMN\r\n';
    expect(await c.exchange(request, expected)).to.equal(expected);
  });
});
