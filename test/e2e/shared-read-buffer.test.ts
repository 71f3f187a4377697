import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startE2EServer, type E2EServer } from '../support/server-fixture.js';
import type { TcpClient } from '../support/tcp-client.js';

/**
 * The server reads every connection into one shared buffer
 * (src/adapters/tcp/shared-read-buffer.ts), so whatever a session keeps
 * between reads (a partial line, a data block spanning reads, the rest of a
 * pipeline behind a command waiting on disk) must be a copy. These tests
 * interleave many connections' partial requests so that each read overwrites
 * the bytes of the previous one, and check every byte that comes back.
 */

/** Deterministic bytes (xorshift) including CR, LF and spaces, so misparsed values show. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Splits `data` into pieces of 1..max bytes (deterministic). */
function pieces(data: Buffer, max: number, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed | 1;
  for (let i = 0; i < data.length;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % max);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes each connection's pieces in turn, one piece per connection per event-loop turn. */
async function interleave(clients: TcpClient[], requests: Buffer[][]): Promise<void> {
  const at = requests.map(() => 0);
  for (let left = true; left;) {
    left = false;
    for (let c = 0; c < clients.length; c++) {
      const piece = requests[c]![at[c]!];
      if (piece === undefined) continue;
      clients[c]!.send(piece);
      at[c]!++;
      left = true;
    }
    await tick();
  }
}

const SIZES = [1, 100, 511, 512, 4000, 70_000, 200_000];

async function setAndCheck(srv: E2EServer, label: string): Promise<void> {
  const clients = await Promise.all(Array.from({ length: 12 }, () => srv.connect()));
  const values = clients.map((_, c) => SIZES.map((n, i) => bytes(n, 1 + c * 100 + i)));
  const key = (c: number, i: number): string => `${label}:${c}:${i}`;
  const requests = clients.map((_, c) => {
    const parts: Buffer[] = [];
    SIZES.forEach((n, i) => {
      parts.push(Buffer.from(`set ${key(c, i)} ${c} 0 ${n}\r\n`, 'latin1'), values[c]![i]!, Buffer.from('\r\n'));
    });
    // Cut everywhere: inside command lines, inside values, between a value and its CRLF.
    return pieces(Buffer.concat(parts), 9000, 7 + c);
  });
  await interleave(clients, requests);
  for (const client of clients) expect(await client.readBytes(8 * SIZES.length)).to.deep.equal(Buffer.from('STORED\r\n'.repeat(SIZES.length)));

  const gets = clients.map((_, c) => pieces(Buffer.from(SIZES.map((_n, i) => `get ${key(c, i)}\r\n`).join(''), 'latin1'), 5, 3 + c));
  await interleave(clients, gets);
  for (let c = 0; c < clients.length; c++) {
    for (let i = 0; i < SIZES.length; i++) {
      const header = `VALUE ${key(c, i)} ${c} ${SIZES[i]}\r\n`;
      expect(await clients[c]!.readUntil('\r\n')).to.equal(header);
      expect((await clients[c]!.readBytes(SIZES[i]!)).equals(values[c]![i]!), `${key(c, i)} byte-exact`).to.equal(true);
      expect(await clients[c]!.readUntil('END\r\n')).to.equal('\r\nEND\r\n');
    }
  }
}

describe('e2e: one read buffer shared by all connections', function () {
  this.timeout(30_000);

  it('partial lines and values spanning reads survive other connections reading in between (memory)', async () => {
    const srv = await startE2EServer({ l1: { max_memory: 256 * 1024 * 1024 } });
    try {
      await setAndCheck(srv, 'mem');
    } finally {
      await srv.stop();
    }
  });

  it('the rest of a pipeline waits intact behind commands that wait on disk (sync writes)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rat-shared-read-'));
    const srv = await startE2EServer({ l2: { enable_l2_cache: true, data_dir: dir, sync_writes: true } });
    try {
      await setAndCheck(srv, 'disk');
      // One write per connection, several commands each: the first set blocks the rest of the chunk.
      const clients = await Promise.all(Array.from({ length: 8 }, () => srv.connect()));
      clients.forEach((client, c) => client.send(`set p${c} 0 0 2\r\nv${c}\r\nget p${c}\r\nset q${c} 0 0 3\r\nw${c}w\r\nget q${c} p${c}\r\n`));
      for (let c = 0; c < clients.length; c++) {
        const expected = `STORED\r\nVALUE p${c} 0 2\r\nv${c}\r\nEND\r\nSTORED\r\nVALUE q${c} 0 3\r\nw${c}w\r\nVALUE p${c} 0 2\r\nv${c}\r\nEND\r\n`;
        expect(await clients[c]!.readBytes(expected.length)).to.deep.equal(Buffer.from(expected, 'latin1'));
      }
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a graceful stop waits for connections to close (within the grace period)', async () => {
    const srv = await startE2EServer({ server: { shutdown_grace_ms: 5000 } });
    // Half-open allowed: the client keeps its side open after the server's FIN, as a slow client would.
    const client = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    client.write('version\r\n');
    await new Promise<void>((resolve) => client.once('data', () => resolve()));
    let stopped = false;
    const stopping = srv.server!.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped, 'stop() returned while a connection was still open').to.equal(false);
    client.end();
    await stopping;
    expect(stopped).to.equal(true);
  });
});
