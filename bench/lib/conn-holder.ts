/**
 * Holds N client connections to a server, for the connections scenario.
 * Opens them (at most 200 connecting at once), prints `ready N`; on the stdin
 * line `used` it sends one request (`get` of a missing key) on each, waits
 * for every `END` and prints `used N`; on `half` it writes half a command
 * line (no CRLF) on each and prints `half N`; it exits when stdin closes. A process of its own so that the
 * benchmark's process needs no extra file descriptors.
 *
 * Usage: node conn-holder.js PORT N
 */
import net from 'node:net';
import readline from 'node:readline';

const [port, n] = process.argv.slice(2).map(Number) as [number, number];
/** `get ` and half of a 250-byte key: what a client has sent when a line is split across packets. */
const HALF_LINE = Buffer.from(`get ${'k'.repeat(125)}`, 'latin1');
/** One request every memcached-like server answers, as a pooled client's connection has sent. */
const ONE_REQUEST = Buffer.from('get bench:never-set\r\n', 'latin1');
const sockets: net.Socket[] = [];

/** Sends ONE_REQUEST on `s` and resolves once its `END` has arrived. */
function request(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString('latin1');
      if (!seen.endsWith('END\r\n')) return;
      s.off('data', onData);
      resolve();
    };
    s.on('data', onData);
    s.write(ONE_REQUEST);
  });
}

function open(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, n - i) }, open));
    for (const s of batch) {
      s.on('error', () => {});
      sockets.push(s);
    }
  }
  process.stdout.write(`ready ${sockets.length}\n`);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line === 'used') {
      void (async () => {
        for (let i = 0; i < sockets.length; i += 200) await Promise.all(sockets.slice(i, i + 200).map(request));
        process.stdout.write(`used ${sockets.length}\n`);
      })();
    } else if (line === 'half') {
      for (const s of sockets) s.write(HALF_LINE);
      process.stdout.write(`half ${sockets.length}\n`);
    }
  });
  rl.on('close', () => {
    for (const s of sockets) s.destroy();
    process.exit(0);
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
