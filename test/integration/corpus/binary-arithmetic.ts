import { bin, frames, NO_CREATE, type BinaryScript } from '../support/binary-script.js';
import { casOf } from '../support/script.js';

const MAX = 18446744073709551615n;

/** Increment and Decrement: initial values, no-create expiration, wrap, floor, padding, cas, errors. */
export const binaryArithmeticScripts: BinaryScript[] = [
  {
    name: 'binary: incr/decr create with the initial value unless expiration is 0xffffffff',
    steps: [
      frames(bin.increment('n', 1, 0, NO_CREATE)),
      frames(bin.decrement('n', 1, 0, NO_CREATE)),
      frames(bin.decrementQ('n', 1, 0, NO_CREATE)),
      frames(bin.increment('n', 5, 10, 0)),
      frames(bin.increment('n', 5, 10, 0)),
      frames(bin.getK('n')),
      frames(bin.decrement('m', 3, MAX, 100000)),
      frames(bin.incrementQ('q', 1, 42, 0)),
      frames(bin.incrementQ('q', 1, 42, 0)),
      frames(bin.get('q'), bin.get('m')),
      // Created already expired (absolute time in 1970): answered, but gone.
      frames(bin.increment('x', 1, 7, 2592001)),
      frames(bin.get('x')),
    ],
  },
  {
    name: 'binary: wrap at 2^64, floor at 0, decr pads in place',
    steps: [
      frames(bin.set('n', '18446744073709551615')),
      frames(bin.increment('n', 1)),
      frames(bin.get('n')),
      frames(bin.set('n', '18446744073709551610')),
      frames(bin.increment('n', 10)),
      frames(bin.set('n', '5')),
      frames(bin.decrement('n', 10)),
      frames(bin.set('n', '1000')),
      frames(bin.decrement('n', 999)),
      frames(bin.get('n')),
      frames(bin.increment('n', 99999)),
      frames(bin.get('n')),
      frames(bin.set('n', '100', { flags: 9 })),
      frames(bin.decrement('n', 91)),
      frames(bin.getK('n')),
      frames(bin.increment('n', MAX)),
      frames(bin.decrementQ('n', 0), bin.get('n')),
    ],
  },
  {
    name: 'binary: non-numeric values',
    steps: [
      frames(bin.set('n', 'abc')),
      frames(bin.increment('n', 1)),
      frames(bin.decrementQ('n', 1)),
      frames(bin.set('n', '12abc')),
      frames(bin.increment('n', 1)),
      frames(bin.set('n', ' 12')),
      frames(bin.increment('n', 1)),
      frames(bin.set('n', '12 ')),
      frames(bin.increment('n', 1)),
      frames(bin.set('n', '')),
      frames(bin.increment('n', 1)),
      frames(bin.set('n', '18446744073709551616')),
      frames(bin.increment('n', 1)),
      frames(bin.set('n', '-1')),
      frames(bin.decrement('n', 1)),
      frames(bin.set('n', '000000000000000000000000007')),
      frames(bin.increment('n', 1)),
      frames(bin.get('n')),
    ],
  },
  {
    name: 'binary: incr/decr honour cas',
    steps: [
      frames(bin.set('n', '1')),
      frames(bin.increment('n', 1, 0, 0, { cas: casOf('last') })),
      frames(bin.increment('n', 1, 0, 0, { cas: casOf(0) })),
      frames(bin.decrementQ('n', 1, 0, 0, { cas: casOf(0) })),
      frames(bin.decrement('missing', 1, 5, 0, { cas: casOf(0) })),
      frames(bin.decrement('missing', 1, 5, 0, { cas: 1n })),
      frames(bin.getK('n'), bin.getK('missing')),
    ],
  },
  {
    name: 'binary: incr/decr on an item stored with flags and a value grown by append',
    steps: [
      frames(bin.set('n', '9', { flags: 123 })),
      frames(bin.append('n', '9')),
      frames(bin.increment('n', 1)),
      frames(bin.getK('n')),
      frames(bin.prepend('n', '1')),
      frames(bin.decrement('n', 1)),
      frames(bin.getK('n')),
    ],
  },
  {
    name: 'binary: incr/decr with a mismatching cas: an empty value is non-numeric first',
    steps: [
      frames(bin.set('n', '')),
      frames(bin.increment('n', 1, 0, 0, { cas: 1n })),
      frames(bin.decrement('n', 1, 0, 0, { cas: casOf('last') })),
      frames(bin.set('t', 'text')),
      frames(bin.increment('t', 1, 0, 0, { cas: 1n })),
      frames(bin.set('n', '5')),
      frames(bin.increment('n', 1, 0, 0, { cas: 1n })),
    ],
  },
];
