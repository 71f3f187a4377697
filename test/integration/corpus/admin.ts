import { line, send, store, type Script } from '../support/script.js';

/** delete, flush_all, verbosity, version, stats, quit. */
export const adminScripts: Script[] = [
  {
    name: 'delete',
    steps: [
      line('delete a'),
      store('set', 'a', 'v'),
      line('delete a'),
      line('delete a'),
      store('set', 'a', 'v'),
      line('delete a noreply'),
      line('get a'),
      line('delete a 0'),
      line('delete a 10'),
      line('delete a 0 noreply'),
      line('delete'),
      line('delete a b c d'),
    ],
  },
  {
    name: 'flush_all variants',
    steps: [
      store('set', 'a', 'v'),
      line('flush_all'),
      line('get a'),
      store('set', 'a', 'v'),
      line('flush_all 0'),
      line('get a'),
      store('set', 'a', 'v'),
      line('flush_all noreply'),
      line('get a'),
      line('flush_all 0 noreply'),
      line('flush_all -1'),
      line('flush_all abc'),
      line('flush_all 0 0'),
      line('flush_all 1 2 3'),
      // memcached keeps oldest_live = now + delay - 1 s: a 1 s delay acts at once.
      store('set', 'a', 'v'),
      line('flush_all 1'),
      line('get a'),
      // A far-off delayed flush, then one now, which cancels it.
      line('flush_all 3600'),
      store('set', 'a', 'v'),
      line('get a'),
      line('flush_all'),
    ],
  },
  {
    name: 'verbosity and version',
    steps: [
      line('version'),
      line('version extra'),
      line('verbosity'),
      line('verbosity 1'),
      line('verbosity 0'),
      line('verbosity 0 noreply'),
      line('verbosity abc'),
      line('verbosity 1 2 3'),
    ],
  },
  {
    name: 'stats, compared by field names only',
    steps: [
      line('stats'),
      line('stats settings'),
      line('stats reset'),
      line('stats detail on'),
      line('stats detail dump'),
      line('stats detail off'),
      line('stats nosuchgroup'),
    ],
  },
  {
    name: 'quit closes the connection, a new one works',
    steps: [store('set', 'q', 'v'), line('quit'), line('get q'), send('get q\r\nquit\r\n'), line('get q')],
  },
];
