/**
 * The floor: the least a Node memcached can be, used as a benchmark anchor.
 * One Map, indexOf parsing of `get` (multi-key) and `set`, one socket.write per
 * socket read. No expiry, cas, flags, limits or error recovery: whatever our
 * server costs beyond this is the price of being a real memcached.
 *
 * Usage: node dist/bench/floor-server.js PORT [HOST]
 */
import net from 'node:net';

const port = Number(process.argv[2] ?? 11211);
const host = process.argv[3] ?? '127.0.0.1';
const store = new Map<string, Buffer>();
const CRLF = Buffer.from('\r\n');
const END = Buffer.from('END\r\n');
const STORED = Buffer.from('STORED\r\n');
const ERROR = Buffer.from('ERROR\r\n');
const EMPTY: Buffer = Buffer.alloc(0);

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = EMPTY;
  socket.on('data', (chunk: Buffer) => {
    const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) break;
      const words = buf.toString('latin1', pos, eol).split(' ');
      if (words[0] === 'get' || words[0] === 'gets') {
        for (let i = 1; i < words.length; i++) {
          const value = store.get(words[i]);
          if (value !== undefined) {
            out.push(Buffer.from(`VALUE ${words[i]} 0 ${value.length}\r\n`, 'latin1'), value, CRLF);
          }
        }
        out.push(END);
        pos = eol + 2;
      } else if (words[0] === 'set') {
        const bytes = Number(words[4]);
        if (buf.length < eol + 2 + bytes + 2) break; // wait for the rest of the data block
        // Copy so a stored value does not pin the whole socket chunk in memory.
        store.set(words[1], Buffer.from(buf.subarray(eol + 2, eol + 2 + bytes)));
        out.push(STORED);
        pos = eol + 2 + bytes + 2;
      } else {
        out.push(ERROR);
        pos = eol + 2;
      }
    }
    pending = pos >= buf.length ? EMPTY : buf.subarray(pos);
    if (out.length > 0) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  });
  socket.on('error', () => socket.destroy());
});

server.listen(port, host);
