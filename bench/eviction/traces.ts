import { seededRandom, permutation } from './prng.js';
import { ZipfSampler } from './zipf.js';

/** A request sequence over dense integer key ids, with a size per key id. */
export interface Trace {
  readonly name: string;
  readonly keys: Int32Array;
  /** Bytes per key id (length = number of distinct ids the trace may use). */
  readonly sizes: Uint32Array;
  /** Distinct keys the cache sizes are relative to (scan keys excluded). */
  readonly keySpace: number;
  /** Whether `sizes` varies (selects the MIN variant). */
  readonly mixedSizes: boolean;
}

export interface TraceShape {
  keySpace: number;
  requests: number;
  seed: number;
}

/** Every object in the equal-size traces is charged this many bytes. */
export const EQUAL_SIZE = 1024;

function equalSizes(n: number): Uint32Array {
  return new Uint32Array(n).fill(EQUAL_SIZE);
}

/** Zipf over the key space; ranks are mapped to ids by a random permutation. */
export function zipfTrace(alpha: number, s: TraceShape): Trace {
  const rand = seededRandom(s.seed);
  const z = new ZipfSampler(s.keySpace, alpha, rand);
  const perm = permutation(s.keySpace, rand);
  const keys = new Int32Array(s.requests);
  for (let i = 0; i < s.requests; i++) keys[i] = perm[z.next()]!;
  return { name: `zipf-${alpha}`, keys, sizes: equalSizes(s.keySpace), keySpace: s.keySpace, mixedSizes: false };
}

/**
 * Zipf 0.9 interrupted by one-time scans: cycles of 3 parts Zipf requests
 * then 1 part sequential reads of never-before-seen keys (ids above the key
 * space), i.e. 25% of the requests are a scan. Scans are sized at 5% of the
 * key space each, so they exceed the small caches and fit in the large one.
 */
export function scanTrace(s: TraceShape): Trace {
  const rand = seededRandom(s.seed);
  const z = new ZipfSampler(s.keySpace, 0.9, rand);
  const perm = permutation(s.keySpace, rand);
  const scanLen = Math.max(1, Math.floor(s.keySpace * 0.05));
  const cycle = scanLen * 4;
  const keys = new Int32Array(s.requests);
  let nextScanKey = s.keySpace;
  for (let i = 0; i < s.requests; i++) {
    keys[i] = i % cycle < cycle - scanLen ? perm[z.next()]! : nextScanKey++;
  }
  return { name: 'zipf-0.9+scans', keys, sizes: equalSizes(nextScanKey), keySpace: s.keySpace, mixedSizes: false };
}

/**
 * Zipf 0.9 whose popularity moves: the trace has 4 phases, and each phase
 * shifts the rank-to-key mapping by a quarter of the key space, so the hot
 * set of one phase is cold in the next. Rewards policies that forget.
 */
export function shiftingTrace(s: TraceShape): Trace {
  const rand = seededRandom(s.seed);
  const z = new ZipfSampler(s.keySpace, 0.9, rand);
  const perm = permutation(s.keySpace, rand);
  const phases = 4;
  const phaseLen = Math.ceil(s.requests / phases);
  const shift = Math.floor(s.keySpace / phases);
  const keys = new Int32Array(s.requests);
  for (let i = 0; i < s.requests; i++) {
    const phase = Math.floor(i / phaseLen);
    keys[i] = perm[(z.next() + phase * shift) % s.keySpace]!;
  }
  return { name: 'zipf-0.9 shifting', keys, sizes: equalSizes(s.keySpace), keySpace: s.keySpace, mixedSizes: false };
}

/**
 * The zipf-0.9 key sequence with a size per key drawn log-uniformly from
 * 64 B to 64 KiB (independent of popularity), for byte budgets.
 */
export function mixedSizeTrace(s: TraceShape): Trace {
  const base = zipfTrace(0.9, s);
  const rand = seededRandom(s.seed ^ 0x5eed);
  const sizes = new Uint32Array(s.keySpace);
  for (let i = 0; i < s.keySpace; i++) sizes[i] = Math.round(64 * Math.pow(1024, rand()));
  return { name: 'zipf-0.9 mixed-size', keys: base.keys, sizes, keySpace: s.keySpace, mixedSizes: true };
}

/** Total bytes of the key space (cache sizes are fractions of it). */
export function keySpaceBytes(t: Trace): number {
  let sum = 0;
  for (let i = 0; i < t.keySpace; i++) sum += t.sizes[i]!;
  return sum;
}
