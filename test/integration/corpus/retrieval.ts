import { line, send, store, type Script } from '../support/script.js';

const KEY_250 = 'k'.repeat(250);
const KEY_251 = 'k'.repeat(251);

/** get, gets, gat, gats, touch, and key-length limits. */
export const retrievalScripts: Script[] = [
  {
    name: 'multi-get with duplicates and misses',
    steps: [
      store('set', 'a', '1'),
      store('set', 'b', '22', { flags: 3 }),
      line('get a b c a a b'),
      line('gets c a c b'),
      line('get miss1 miss2'),
      line('get'),
      line('gets'),
      line('get a  b'),
      line('get  a'),
    ],
  },
  {
    name: 'key length 250 and 251, control characters',
    steps: [
      store('set', KEY_250, 'ok'),
      line(`get ${KEY_250}`),
      store('set', KEY_251, 'no'),
      line(`get ${KEY_251}`),
      line(`get a ${KEY_251} b`),
      line(`delete ${KEY_251}`),
      line(`incr ${KEY_251} 1`),
      line(`touch ${KEY_251} 0`),
      store('set', 'tab\tkey', 'v'),
      line('get tab\tkey'),
      store('set', 'caf\xe9', 'v'),
      line('get caf\xe9'),
    ],
  },
  {
    name: 'touch, gat, gats',
    steps: [
      line('touch a 10'),
      store('set', 'a', 'v'),
      line('touch a 100'),
      line('touch a 0 noreply'),
      line('touch a'),
      line('touch a abc'),
      line('touch a -1'),
      line('get a'),
      store('set', 'a', 'v', { flags: 42 }),
      line('gat 100 a b a'),
      line('gats 0 a b'),
      line('gat 0'),
      line('gat'),
      line('gat abc a'),
      line('gats -1 a'),
      line('get a'),
    ],
  },
  {
    // A failed multi-get culls the replies memcached has not sent yet. It sends them whenever its
    // read buffer runs empty: after every get, and after a data block too long for its 16 KiB
    // buffer (read straight from the socket to its end), but not after a short one.
    name: 'a failed multi-get culls unsent replies back to the last flush',
    steps: [
      send('set a 0 0 1\r\n1\r\nversion\r\nget a ' + KEY_251 + '\r\n'),
      send('get a\r\nset b 0 0 1\r\n2\r\nget b ' + KEY_251 + '\r\n'),
      send('set big 0 0 20000\r\n', Buffer.alloc(20000, 0x62), '\r\nget big ' + KEY_251 + '\r\n'),
      // Nothing but the failed get after a long block: a reply made between the block and the get
      // would be sent or culled depending on whether memcached's next read stopped before the get.
      send('ms big 20000 c MA\r\n', Buffer.alloc(20000, 0x63), '\r\ngets big ' + KEY_251 + '\r\n'),
      send('set huge 0 0 2000000\r\n', Buffer.alloc(2_000_000, 0x64), '\r\nmn\r\nget a ' + KEY_251 + '\r\n'),
      send('set huge 0 0 2000000\r\n', Buffer.alloc(2_000_000, 0x64), '\r\nget a ' + KEY_251 + '\r\n'),
      send('ms x 30000 MA\r\n', Buffer.alloc(30000, 0x65), 'XX', '\r\nget a ' + KEY_251 + '\r\n'),
      line('get a big c'),
    ],
  },
];
