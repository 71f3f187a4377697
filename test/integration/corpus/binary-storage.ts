import { Op } from '../../support/binary-frames.js';
import { bin, frames, UNISSUED_CAS, type BinaryScript } from '../support/binary-script.js';
import { casOf } from '../support/script.js';

const K250 = 'k'.repeat(250);
/** memcached's largest value for a 1-byte key and flags 0 with -I 1m (see docs/compatibility.md). */
const MAX_VALUE = 1048516;

/** Get family, storage commands, cas, delete, sizes and keys over the binary protocol. */
export const binaryStorageScripts: BinaryScript[] = [
  {
    name: 'binary: get family on hits and misses (Get, GetQ, GetK, GetKQ)',
    steps: [
      frames(bin.get('a')),
      frames(bin.getK('a')),
      frames(bin.getQ('a')),
      frames(bin.getKQ('a')),
      frames(bin.set('a', 'hello', { flags: 5 })),
      frames(bin.get('a')),
      frames(bin.getK('a')),
      frames(bin.getQ('a')),
      frames(bin.getKQ('a')),
      // A multi-get as clients send it: quiet gets, then a Noop of their own.
      frames(bin.getKQ('a'), bin.getKQ('missing'), bin.getQ('a'), bin.getQ('missing'), bin.getK('a'), bin.noop()),
    ],
  },
  {
    name: 'binary: set, add, replace and their quiet forms',
    steps: [
      frames(bin.add('a', '1')),
      frames(bin.add('a', '2')),
      frames(bin.addQ('a', '3')),
      frames(bin.addQ('b', '4')),
      frames(bin.replace('c', '5')),
      frames(bin.replaceQ('c', '6')),
      frames(bin.replace('a', '7', { flags: 0xffffffff })),
      frames(bin.replaceQ('b', '8', { flags: 65535 })),
      frames(bin.setQ('c', '9')),
      frames(bin.set('d', '')),
      frames(bin.getK('a'), bin.getK('b'), bin.getK('c'), bin.getK('d')),
    ],
  },
  {
    name: 'binary: values with CR LF, NUL, high bytes and response magic inside',
    steps: [
      frames(bin.set('a', Buffer.from([0x0d, 0x0a, 0x00, 0x81, 0x80, 0xff, 0x0d, 0x0a]))),
      frames(bin.get('a')),
      frames(bin.set('b', Buffer.alloc(300, 0x81))),
      frames(bin.getK('b')),
    ],
  },
  {
    name: 'binary: cas on set, add, replace (compare-and-swap) and delete',
    steps: [
      frames(bin.set('a', '1')),
      frames(bin.set('a', '2', { cas: casOf('last') })),
      frames(bin.set('a', '3', { cas: casOf(0) })),
      frames(bin.add('a', 'x', { cas: casOf('last') })),
      frames(bin.replace('a', 'y', { cas: casOf('last') })),
      frames(bin.setQ('a', 'z', { cas: casOf('last') })),
      frames(bin.setQ('a', 'stale', { cas: casOf(0) })),
      frames(bin.set('missing', 'v', { cas: 1n })),
      frames(bin.add('missing', 'v', { cas: UNISSUED_CAS })),
      frames(bin.getK('a')),
      frames(bin.delete('a', { cas: casOf(0) })),
      frames(bin.deleteQ('a', { cas: casOf(1) })),
      frames(bin.delete('a', { cas: casOf('last') })),
      frames(bin.delete('a')),
      frames(bin.deleteQ('a')),
      frames(bin.delete('missing', { cas: 1n })),
    ],
  },
  {
    name: 'binary: delete and quiet delete',
    steps: [
      frames(bin.set('a', '1'), bin.set('b', '2')),
      frames(bin.deleteQ('a')),
      frames(bin.delete('b')),
      frames(bin.delete('b')),
      frames(bin.deleteQ('b')),
      frames(bin.get('a'), bin.get('b')),
    ],
  },
  {
    name: 'binary: append and prepend keep flags, honour cas, refuse missing keys',
    steps: [
      frames(bin.append('a', 'x')),
      frames(bin.prependQ('a', 'x')),
      frames(bin.set('a', 'mid', { flags: 77 })),
      frames(bin.append('a', '-end')),
      frames(bin.prepend('a', 'start-')),
      frames(bin.appendQ('a', '!')),
      frames(bin.prependQ('a', '¡')),
      frames(bin.getK('a')),
      frames(bin.append('a', '+', { cas: casOf('last') })),
      frames(bin.prepend('a', '+', { cas: casOf(0) })),
      frames(bin.append('missing', '+', { cas: casOf('last') })),
      frames(bin.append('a', '')),
      frames(bin.get('a')),
    ],
  },
  {
    name: 'binary: too large values are refused, and a refused set drops the old value',
    steps: [
      frames(bin.set('a', 'old'), bin.set('b', 'old')),
      frames(bin.set('a', Buffer.alloc(1048577, 0x61))),
      frames(bin.get('a')),
      frames(bin.add('b', Buffer.alloc(1048577, 0x61))),
      frames(bin.replace('b', Buffer.alloc(1048577, 0x61))),
      frames(bin.append('b', Buffer.alloc(1048577, 0x61))),
      frames(bin.prependQ('b', Buffer.alloc(1048577, 0x61))),
      frames(bin.setQ('c', Buffer.alloc(2_000_000, 0x61))),
      frames(bin.get('b'), bin.get('c')),
    ],
  },
  {
    name: 'binary: item size boundary (key length and flags count)',
    steps: [
      frames(bin.set('a', Buffer.alloc(MAX_VALUE, 0x61))),
      frames(bin.set('a', Buffer.alloc(MAX_VALUE + 1, 0x61))),
      frames(bin.set('a', Buffer.alloc(MAX_VALUE, 0x61), { flags: 1 })),
      frames(bin.set('a', Buffer.alloc(MAX_VALUE - 4, 0x61), { flags: 1 })),
      frames(bin.set('ab', Buffer.alloc(MAX_VALUE, 0x61))),
      frames(bin.set('ab', Buffer.alloc(MAX_VALUE - 1, 0x61))),
      frames(bin.set('a', Buffer.alloc(MAX_VALUE - 10, 0x61))),
      frames(bin.append('a', Buffer.alloc(10, 0x62))),
      frames(bin.append('a', 'c')),
      frames(bin.getK('a')),
    ],
  },
  {
    name: 'binary: keys of 250 bytes and keys with spaces, CR LF, NUL and high bytes',
    steps: [
      frames(bin.set(K250, 'long')),
      frames(bin.getK(K250)),
      frames(bin.set('sp ace\r\n\x00\xff', 'odd')),
      frames(bin.getK('sp ace\r\n\x00\xff')),
      frames(bin.getKQ('sp ace'), bin.getK('\x00')),
      frames(bin.delete(K250)),
    ],
  },
  {
    name: 'binary: exptimes: 0, relative, absolute future, 0xffffffff, absolute past',
    steps: [
      frames(bin.set('a', 'v', { exptime: 0xffffffff })),
      frames(bin.set('b', 'v', { exptime: 2592000 })),
      frames(bin.set('c', 'v', { exptime: 4102444800 })),
      frames(bin.set('d', 'v', { exptime: 2592001 })),
      frames(bin.set('e', 'v', { exptime: 1 }), bin.add('e', 'w', { exptime: 100000 })),
      frames(bin.getK('a'), bin.getK('b'), bin.getK('c'), bin.getK('d'), bin.getK('e')),
      frames(bin.add('d', 'again')),
      frames(bin.get('d')),
    ],
  },
  {
    name: 'binary: opaque is echoed as sent, reserved header fields are ignored',
    steps: [
      frames(bin.set('a', 'v', { opaque: 0 })),
      frames(bin.get('a', { opaque: 0xffffffff })),
      frames(bin.get('missing', { opaque: 0x7fffffff })),
      frames(bin.raw(Op.Get, { key: 'a', datatype: 0x01, opaque: 1 })),
      frames(bin.raw(Op.Get, { key: 'a', vbucket: 0xbeef, opaque: 2 })),
    ],
  },
  {
    name: "binary: Touch with an exptime in the past answers the touched item's flags and cas",
    steps: [
      frames(bin.set('a', 'v', { flags: 3 })),
      frames(bin.touch('a', 2592001)),
      frames(bin.get('a')),
      frames(bin.set('b', '', { flags: 7 })),
      frames(bin.touch('b', 0xffffffff), bin.touch('b', 2592001), bin.touch('b', 100)),
    ],
  },
];
