import { Op } from '../../support/binary-frames.js';
import { bin, frames, type BinaryScript } from '../support/binary-script.js';

/** Touch and GAT, Noop, Version, Flush, Stat, Quit and the opcodes neither server serves. */
export const binaryAdminScripts: BinaryScript[] = [
  {
    name: 'binary: Touch and GAT, GATQ, GATK, GATKQ on hits and misses',
    steps: [
      frames(bin.touch('a', 100)),
      frames(bin.gat('a', 0), bin.gatQ('a', 0), bin.gatK('a', 0), bin.gatKQ('a', 0)),
      frames(bin.set('a', 'v', { flags: 3 })),
      frames(bin.touch('a', 100)),
      frames(bin.gat('a', 0)),
      frames(bin.gatK('a', 2592000)),
      frames(bin.gatQ('a', 4102444800)),
      frames(bin.gatKQ('a', 0xffffffff)),
      frames(bin.touch('a', 0xffffffff)),
      frames(bin.getK('a')),
    ],
  },
  {
    name: 'binary: GAT with an exptime in the past answers the item, then it is gone',
    steps: [
      frames(bin.set('a', 'v', { flags: 3 }), bin.set('b', 'w', { flags: 4 }), bin.set('c', 'x')),
      frames(bin.gat('a', 2592001)),
      frames(bin.gatKQ('b', 2592001)),
      frames(bin.gatK('c', 2592001)),
      frames(bin.get('a'), bin.get('b'), bin.get('c')),
    ],
  },
  {
    name: 'binary: Noop and Version, alone and pipelined',
    steps: [frames(bin.noop()), frames(bin.version()), frames(bin.noop(), bin.version(), bin.noop({ opaque: 0 }))],
  },
  {
    name: 'binary: Flush, FlushQ, with and without a delay',
    steps: [
      frames(bin.set('a', '1'), bin.set('b', '2')),
      frames(bin.flush()),
      frames(bin.get('a')),
      frames(bin.set('a', '1')),
      frames(bin.flushQ()),
      frames(bin.get('a')),
      frames(bin.set('a', '1')),
      frames(bin.flush(0)),
      frames(bin.get('a')),
      frames(bin.set('a', '1')),
      frames(bin.flushQ(0), bin.getK('a')),
      // A 1 s delay acts at once (memcached keeps oldest_live = now + delay - 1 s).
      frames(bin.set('a', '1')),
      frames(bin.flush(1)),
      frames(bin.getK('a')),
      // A far-off delay flushes nothing now (the next script's reset cancels it).
      frames(bin.set('a', '1')),
      frames(bin.flush(100000)),
      frames(bin.getK('a')),
    ],
  },
  {
    name: 'binary: Stat groups (names compared, values normalised; items and slabs depend on history and are left out)',
    steps: [
      frames(bin.set('a', 'hello', { flags: 5 })),
      frames(bin.stat()),
      frames(bin.stat('settings')),
      frames(bin.stat('sizes')),
      frames(bin.stat('reset')),
      frames(bin.stat('detail on')),
      frames(bin.get('a')),
      frames(bin.stat('detail dump')),
      frames(bin.stat('detail off')),
      frames(bin.stat('detail')),
      frames(bin.stat('detail bogus')),
      frames(bin.stat('bogus')),
      frames(bin.stat(' ')),
      frames(bin.stat(), bin.noop()),
    ],
  },
  {
    name: 'binary: Quit answers then closes, QuitQ closes silently, pipelined frames after them are dropped',
    steps: [
      frames(bin.set('a', '1')),
      frames(bin.quit()),
      frames(bin.get('a')),
      frames(bin.quitQ()),
      frames(bin.get('a')),
      frames(bin.get('a'), bin.quit(), bin.set('a', '2')),
      frames(bin.get('a'), bin.quitQ(), bin.set('a', '3')),
      frames(bin.get('a')),
    ],
  },
  {
    name: 'binary: opcodes neither server serves without a body: "Unknown command", stream stays in step',
    steps: [
      frames(bin.raw(Op.Verbosity)),
      frames(bin.raw(Op.SaslListMechs)),
      frames(bin.raw(0x25)),
      frames(bin.raw(0x30), bin.raw(0x3c), bin.raw(0xff), bin.noop()),
      frames(bin.set('a', '1'), bin.raw(0x80), bin.get('a')),
    ],
  },
  {
    name: 'binary: a long pipeline mixing quiet and loud commands',
    steps: [
      frames(
        bin.setQ('a', '1'),
        bin.setQ('b', '2'),
        bin.addQ('a', 'x'),
        bin.replaceQ('c', 'x'),
        bin.appendQ('a', '1'),
        bin.incrementQ('n', 1, 5, 0),
        bin.incrementQ('n', 1, 5, 0),
        bin.deleteQ('b'),
        bin.deleteQ('b'),
        bin.getKQ('a'),
        bin.getKQ('b'),
        bin.getKQ('n'),
        bin.gatKQ('a', 0),
        bin.flushQ(),
        bin.getKQ('a'),
        bin.noop(),
      ),
    ],
  },
];
