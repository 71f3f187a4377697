/**
 * Holds N client connections to a server, for the connections scenario.
 * Opens them (at most 200 connecting at once), prints `ready N`; on the stdin
 * line `half` it writes half a command line (no CRLF) on each and prints
 * `half N`; it exits when stdin closes. A process of its own so that the
 * benchmark's process needs no extra file descriptors.
 *
 * Usage: node conn-holder.js PORT N
 */
import net from 'node:net';
import readline from 'node:readline';

const [port, n] = process.argv.slice(2).map(Number) as [number, number];
/** `get ` and half of a 250-byte key: what a client has sent when a line is split across packets. */
const HALF_LINE = Buffer.from(`get ${'k'.repeat(125)}`, 'latin1');
const sockets: net.Socket[] = [];

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
    if (line !== 'half') return;
    for (const s of sockets) s.write(HALF_LINE);
    process.stdout.write(`half ${sockets.length}\n`);
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
