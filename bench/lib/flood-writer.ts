/**
 * A careless client for the write-flood scenario: it pipelines 100-byte sets
 * on one connection and never reads a reply. It writes whenever the kernel
 * takes more (Node's 'drain'), stops after MAX_BYTES or SECONDS, keeps the
 * connection open (unread replies and all) for HOLD_SECONDS in total, then
 * prints one JSON line: bytes written and the time writing took.
 *
 * Usage: node flood-writer.js PORT MAX_BYTES SECONDS HOLD_SECONDS KEYS
 */
import net from 'node:net';

const [port, maxBytes, seconds, holdSeconds, keys] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const VALUE = Buffer.alloc(100, 0x66);

/** Sets of KEYS distinct 16-byte keys, over and over: item memory stays small, only buffering can grow. */
function chunk(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < keys; i++) {
    parts.push(Buffer.from(`set flood:${String(i).padStart(10, '0')} 0 0 ${VALUE.length}\r\n`, 'latin1'), VALUE, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const data = chunk();
const socket = net.connect(port, '127.0.0.1');
socket.pause(); // never read: replies pile up in the kernel buffers, then in the server
socket.on('error', () => {});
socket.once('connect', async () => {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  let bytes = 0;
  while (bytes < maxBytes && Date.now() < deadline) {
    const piece = data.subarray(0, Math.min(data.length, maxBytes - bytes));
    bytes += piece.length;
    if (!socket.write(piece)) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        socket.once('drain', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
  const writing = (Date.now() - started) / 1000;
  // Bytes still queued in Node were never taken by the kernel: not sent.
  const sent = bytes - socket.writableLength;
  setTimeout(
    () => {
      process.stdout.write(`${JSON.stringify({ bytes: sent, seconds: writing })}\n`);
      socket.destroy();
      process.exit(0);
    },
    Math.max(0, started + holdSeconds * 1000 - Date.now()),
  );
});
