import { Op } from '../../support/binary-frames.js';
import { bin, frames, type BinaryFrame, type BinaryScript } from '../support/binary-script.js';

const zeros = (n: number): Buffer => Buffer.alloc(n);

/**
 * Frames whose lengths do not fit their opcode. memcached answers "Invalid
 * arguments" and closes; a key over 250 bytes likewise; a key and extras
 * longer than the body "Unknown command" and closes; a bad magic byte closes
 * without a word. Each script also proves the server still serves the next
 * connection. Frames memcached itself mis-frames (unknown opcodes with a
 * body, Stat/Touch/GAT with excess body, body lengths of 2 GiB and more) are
 * kept out: see docs/binary-protocol.md, "Differences ... kept on purpose".
 */
const malformed: readonly [string, BinaryFrame][] = [
  ['Get with extras', bin.raw(Op.Get, { key: 'a', extras: zeros(4) })],
  ['Get without key', bin.raw(Op.Get)],
  ['Get with a value', bin.raw(Op.Get, { key: 'a', value: zeros(3) })],
  ['GetQ with a value', bin.raw(Op.GetQ, { key: 'a', value: zeros(3) })],
  ['Set without extras', bin.raw(Op.Set, { key: 'a', value: zeros(3) })],
  ['Set with 4 bytes of extras', bin.raw(Op.Set, { key: 'a', extras: zeros(4), value: zeros(3) })],
  ['SetQ without key', bin.raw(Op.SetQ, { extras: zeros(8), value: zeros(3) })],
  ['Append with extras', bin.raw(Op.Append, { key: 'a', extras: zeros(8), value: zeros(3) })],
  ['Prepend without key', bin.raw(Op.Prepend, { value: zeros(3) })],
  ['Delete with extras', bin.raw(Op.Delete, { key: 'a', extras: zeros(4) })],
  ['DeleteQ with a value', bin.raw(Op.DeleteQ, { key: 'a', value: zeros(4) })],
  ['Increment without extras', bin.raw(Op.Increment, { key: 'a' })],
  ['Decrement with 8 bytes of extras', bin.raw(Op.Decrement, { key: 'a', extras: zeros(8) })],
  ['Increment with a value', bin.raw(Op.Increment, { key: 'a', extras: zeros(20), value: zeros(2) })],
  ['IncrementQ without key', bin.raw(Op.IncrementQ, { extras: zeros(20) })],
  ['Noop with a body', bin.raw(Op.Noop, { value: zeros(4) })],
  ['Noop with extras', bin.raw(Op.Noop, { extras: zeros(4) })],
  ['Version with a key', bin.raw(Op.Version, { key: 'a' })],
  ['Quit with a body', bin.raw(Op.Quit, { value: zeros(2) })],
  ['Flush with 8 bytes of extras', bin.raw(Op.Flush, { extras: zeros(8) })],
  ['FlushQ with a key', bin.raw(Op.FlushQ, { key: 'a' })],
  ['Flush with a value', bin.raw(Op.Flush, { value: zeros(4) })],
  ['Touch without extras', bin.raw(Op.Touch, { key: 'a' })],
  ['Touch without key', bin.raw(Op.Touch, { extras: zeros(4) })],
  ['GAT with 8 bytes of extras', bin.raw(Op.GAT, { key: 'a', extras: zeros(8) })],
  ['GATKQ without key', bin.raw(Op.GATKQ, { extras: zeros(4) })],
  ['Stat with extras', bin.raw(Op.Stat, { extras: zeros(4) })],
  ['Set with a 251-byte key', bin.set('k'.repeat(251), 'v')],
  ['GetQ with a 251-byte key', bin.getQ('k'.repeat(251))],
  ['Stat with a 251-byte group', bin.stat('k'.repeat(251))],
  ['Get whose key is longer than its body', bin.raw(Op.Get, { key: 'abc', bodyLength: 2 })],
  ['Set whose extras and key are longer than its body', bin.raw(Op.Set, { key: 'a', extras: zeros(8), bodyLength: 5 })],
  ['response magic instead of request magic', bin.raw(Op.Get, { key: 'a', magic: 0x81 })],
  ['magic 0x00', bin.raw(Op.Noop, { magic: 0x00 })],
];

export const binaryErrorScripts: BinaryScript[] = [
  ...malformed.map(([name, frame]): BinaryScript => ({
    name: `binary malformed: ${name}`,
    steps: [frames(bin.set('a', 'kept')), frames(frame), frames(bin.getK('a'))],
  })),
  {
    name: 'binary malformed: replies before a fatal frame are sent, frames after it are dropped',
    steps: [
      frames(bin.get('x'), bin.setQ('a', '1'), bin.raw(Op.Get, { key: 'a', extras: zeros(4) }), bin.get('a'), bin.set('b', '2')),
      frames(bin.getK('a'), bin.getK('b')),
    ],
  },
  {
    name: 'binary malformed: text protocol bytes on a binary connection close it',
    steps: [frames(bin.noop(), Buffer.from('get a\r\n', 'latin1')), frames(bin.noop())],
  },
  {
    name: 'binary malformed: a bad magic byte drops the replies owed to earlier frames of the same write',
    steps: [
      frames(bin.set('a', 'v')),
      frames(bin.get('a'), bin.getK('missing'), bin.raw(Op.Get, { key: 'a', magic: 0x81 })),
      frames(bin.get('a')),
      frames(bin.setQ('b', 'w'), bin.raw(Op.Noop, { magic: 0x00 })),
      frames(bin.getK('b')),
    ],
  },
  {
    // memcached reads a value too long for its 16 KiB read buffer straight from the socket to its
    // end; its buffer is then empty and it sends every reply it holds: a bad magic byte after it
    // drops nothing from before it. Nothing but the bad frame follows the long value, so where the
    // kernel splits the write does not matter.
    name: 'binary malformed: a bad magic byte after a value longer than 16 KiB keeps the replies before it',
    steps: [
      frames(bin.set('a', 'v')),
      frames(bin.get('a'), bin.set('big', Buffer.alloc(20_000, 0x62)), bin.raw(Op.Get, { key: 'a', magic: 0x81 })),
      frames(bin.get('a'), bin.setQ('big', Buffer.alloc(30_000, 0x63)), bin.raw(Op.Noop, { magic: 0x00 })),
      frames(bin.getK('big'), bin.set('huge', Buffer.alloc(1_100_000, 0x64)), bin.raw(Op.Noop, { magic: 0x00 })),
      frames(bin.getK('huge')),
    ],
  },
];
