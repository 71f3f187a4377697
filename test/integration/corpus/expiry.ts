import { line, sleep, store, type Script } from '../support/script.js';

/**
 * Timing-dependent scenarios. memcached's clock ticks once a second, so a
 * 2 s TTL is certainly alive right after being set and certainly gone 2.5 s
 * later; nothing is checked inside the uncertain window.
 */
export const expiryScripts: Script[] = [
  {
    name: 'TTLs, touch and gat extend or shorten life',
    steps: [
      store('set', 'short', 'v', { exptime: 2 }),
      store('set', 'forever', 'v'),
      store('set', 'touched', 'v', { exptime: 2 }),
      store('set', 'shortened', 'v', { exptime: 100 }),
      store('set', 'gatted', 'v', { exptime: 2 }),
      store('set', 'counter', '5', { exptime: 2 }),
      line('touch touched 100'),
      line('touch shortened 2'),
      line('gat 100 gatted'),
      line('incr counter 1'),
      line('get short forever touched shortened gatted counter'),
      sleep(2500),
      line('get short forever touched shortened gatted counter'),
      line('incr counter 1'),
      store('add', 'short', 'again'),
      store('append', 'shortened', 'x'),
      line('get short shortened'),
    ],
  },
  {
    name: 'delayed flush_all',
    steps: [store('set', 'before', 'v'), line('flush_all 2'), sleep(2500), line('get before'), store('set', 'after', 'v'), line('get after')],
  },
];
