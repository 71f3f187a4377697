import { line, store, type Script } from '../support/script.js';

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
];
