import { bin, frames, Op, type BinaryScript } from '../support/binary-frames.js';

/**
 * Differences from memcached 1.6.18 found by this suite that are neither
 * fixed nor documented as deliberate. Each script is expected to STILL
 * differ; the test fails once it no longer does, so the fix is noticed and
 * the script moves into the corpus (and the random stream stops avoiding it).
 */
export interface KnownDifference extends BinaryScript {
  /** What differs and where the fix belongs. */
  readonly reason: string;
}

export const binaryKnownDifferences: KnownDifference[] = [
  {
    name: 'binary: Touch with an exptime in the past',
    reason:
      'memcached answers with the touched item\'s flags and cas even though it is now expired; ' +
      'rat-memcache reads the item back after touching, finds it gone and answers flags 0, cas 0 ' +
      '(src/adapters/binary/binary-session.ts touchOrGat, TOUCHED_GONE)',
    steps: [frames(bin.set('a', 'v', { flags: 3 })), frames(bin.touch('a', 2592001)), frames(bin.get('a'))],
  },
  {
    name: 'binary: incr/decr with a mismatching cas on an empty value',
    reason:
      'memcached\'s do_add_delta refuses an empty value as non-numeric before it compares the cas (status 0x0006); ' +
      'rat-memcache compares the cas first and answers "Data exists for key." (0x0002) ' +
      '(src/adapters/binary/binary-session.ts arithmetic checks the cas before the use-case runs)',
    steps: [frames(bin.set('n', '')), frames(bin.increment('n', 1, 0, 0, { cas: 1n }))],
  },
  {
    name: 'binary: frames before a bad magic byte in the same write',
    reason:
      'memcached closes on a bad magic byte without sending the replies it still owes earlier frames of the same read; ' +
      'rat-memcache sends them, then closes (src/adapters/binary/binary-session.ts close() flushes first)',
    steps: [frames(bin.set('a', 'v')), frames(bin.get('a'), bin.getK('missing'), bin.raw(Op.Get, { key: 'a', magic: 0x81 }))],
  },
];
