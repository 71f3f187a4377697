import { line, send, type Script } from '../support/script.js';

/** Lines that are not commands, or not well formed. */
export const errorScripts: Script[] = [
  {
    name: 'unknown commands and empty lines',
    steps: [line('bogus'), line(''), line(' '), line('GET a'), line('gets_'), send('get a\n'), send('version\n'), send('\r\n\r\n'), line('\0')],
  },
  {
    name: 'too many tokens',
    steps: [
      line(`get ${Array.from({ length: 30 }, (_, i) => `k${i}`).join(' ')}`),
      line(`get ${Array.from({ length: 300 }, (_, i) => `key${i}`).join(' ')}`),
      line('set a b c d e f g h i j k l m n o p q r s t u v w x y z'),
      line('incr a 1 2 3 4 5 6 7 8 9'),
      line('touch a 1 2 3'),
    ],
  },
  {
    name: 'over-long lines',
    steps: [
      line('x'.repeat(2000)),
      line('x'.repeat(5000)),
      line(`get ${'k'.repeat(5000)}`),
      line(`set ${'k'.repeat(5000)} 0 0 1`),
      line('version'),
      // No "\n" within the read buffer: memcached gives up on the connection.
      line('x'.repeat(17000)),
      line('version'),
    ],
  },
];
