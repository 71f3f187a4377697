import { casOf, type CasRef, type Chunk } from './script.js';

/** What the meta part of a random stream draws from; shared with the classic generator. */
export interface MetaDraw {
  readonly random: () => number;
  readonly keys: readonly string[];
  /** Keys decr and ma MD may touch (see command-generator.ts on decr padding). */
  readonly numberKeys: readonly string[];
  /** Keys ms MA/MP may touch. */
  readonly textKeys: readonly string[];
  readonly flags: readonly number[];
  readonly deltas: readonly string[];
  /** A random value as the classic stream makes them. */
  readonly value: () => Buffer;
}

/**
 * Relative TTLs only: for them memcached's `t` (exptime − current_time, both
 * whole seconds) and ours agree within the one-second slack the comparison
 * allows. 0 = never. No past values: `t` of an item whose TTL has passed is a
 * deliberate difference (docs/meta-protocol.md).
 */
const META_TTLS = [0, 0, 100, 3600, 100000, 2592000];

/**
 * R tokens, each far from every TTL an item can hold (META_TTLS and the classic
 * exptimes). R equal to an item's TTL wins (`W`) as soon as one second has
 * ticked since the set, and memcached's timer ticks at a different instant from
 * our millisecond clock: the same request won on one server and not the other
 * (CI, seed stream step 4896: `set g 0 100000` then `mg g R100000`). 0 turns R
 * off; 3000000 is an absolute time in the past.
 */
export const RECACHE_TOKENS = [0, 50, 1000, 50000, 2000000, 3000000];

/** Meta lines that are wrong in the ways clients get them wrong; none leaves a data block pending. */
const MALFORMED_META: readonly string[] = [
  'mg\r\n',
  'mg a zz\r\n',
  'mg a v v\r\n',
  'mg a Tabc\r\n',
  'mg a O123456789012345678901234567890123\r\n',
  `mg a ${Array.from({ length: 18 }, (_, i) => `O${i}`).join(' ')}\r\n`,
  `mg ${'k'.repeat(251)} v\r\n`,
  'mg @@@ b\r\n',
  'ms\r\n',
  'ms a\r\n',
  'ms a abc\r\n',
  'ms a -1\r\n',
  'ms a 1 MZ\r\nx\r\n',
  'ms a 1 Tabc\r\nx\r\n',
  'ms a 1 v v\r\nx\r\n',
  'ms a 2\r\nxyz\r\n',
  'ms a 1 b\r\nx\r\n',
  `ms a 1 ${Array.from({ length: 17 }, (_, i) => `O${i}`).join(' ')}\r\nx\r\n`,
  'md\r\n',
  'md a zz\r\n',
  'md a Cabc\r\n',
  'ma\r\n',
  'ma a MX\r\n',
  'ma a Dabc\r\n',
  'ma a D-1\r\n',
  'ma a Jabc N0\r\n',
  'me\r\n',
  'mn foo\r\n',
];

/** `k` base64-encoded, for the `b` flag. */
function base64(key: string): string {
  return Buffer.from(key, 'latin1').toString('base64');
}

/**
 * One random meta command (mg, ms, md, ma, mn) over the classic stream's
 * keys, so meta and classic commands read and write the same items. Leaves
 * out what differs from 1.6.18 on purpose (docs/meta-protocol.md): the E
 * flag, `md x`, `ms` with N, past TTLs, and `me` (its `exp=`, `cls=` and
 * `size=` depend on slab classes and 1.6.18 prints a negated TTL).
 */
export function metaCommand(d: MetaDraw): Chunk[] {
  const { random } = d;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const int = (below: number): number => Math.floor(random() * below);

  /** Returns the key token and the flags it needs (`b` for a base64 key). */
  const keyToken = (key: string): { token: string; flags: string[] } => (chance(0.1) ? { token: base64(key), flags: ['b'] } : { token: key, flags: [] });
  const opaque = (): string => `O${int(1_000_000)}`;
  const cas = (): CasRef | string => (chance(0.6) ? casOf('last') : chance(0.7) ? casOf(int(40)) : '1');

  /** Flags in a random order, each chosen with its probability. */
  const flags = (choices: readonly (readonly [string | (() => string), number])[]): string[] => {
    const out: string[] = [];
    for (const [flag, p] of choices) if (chance(p)) out.push(typeof flag === 'string' ? flag : flag());
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j] as string, out[i] as string];
    }
    return out;
  };
  /** A command line whose flags may carry one cas placeholder (C), then an optional data block. */
  const commandLine = (head: string, list: readonly string[], casFlag?: CasRef | string, data?: Buffer): Chunk[] => {
    const parts: Chunk[] = [head];
    for (const flag of list) parts.push(` ${flag}`);
    if (casFlag !== undefined) parts.push(' C', casFlag);
    parts.push('\r\n');
    if (data !== undefined) parts.push(data, '\r\n');
    return parts;
  };

  const roll = random();
  if (roll < 0.35) {
    const { token, flags: b } = keyToken(pick(d.keys));
    // No h or l: whether an incr/decr keeps them depends on memcached rewriting the number in place.
    const list = flags([
      ['v', 0.6],
      ['k', 0.2],
      [opaque, 0.15],
      ['q', 0.15],
      ['s', 0.2],
      ['t', 0.25],
      ['c', 0.3],
      ['f', 0.25],
      [() => `T${pick(META_TTLS)}`, 0.1],
      [() => `N${pick(META_TTLS)}`, 0.08],
      [() => `R${pick(RECACHE_TOKENS)}`, 0.08],
      ['u', 0.02],
    ]);
    return commandLine(`mg ${token}`, [...b, ...list]);
  }
  if (roll < 0.6) {
    const mode = pick(['', '', '', '', 'MS', 'ME', 'MR', 'MA', 'MP']);
    const appends = mode === 'MA' || mode === 'MP';
    const key = appends ? pick(d.textKeys) : pick(d.keys);
    // No base64 keys here: ms b marks the item (mg k then echoes it base64), and whether an
    // incr keeps that mark depends on memcached rewriting in place (see decr padding).
    const token = key;
    const b: string[] = [];
    const value = d.numberKeys.includes(key) && chance(0.7) ? Buffer.from(String(int(100)), 'latin1') : d.value();
    const list = flags([
      [() => `T${pick(META_TTLS)}`, 0.3],
      [() => `F${pick(d.flags)}`, 0.4],
      ['c', 0.3],
      ['k', 0.15],
      [opaque, 0.1],
      ['q', 0.15],
      ['I', 0.05],
    ]);
    if (mode !== '') list.push(mode);
    return commandLine(`ms ${token} ${value.length}`, [...b, ...list], chance(0.15) ? cas() : undefined, value);
  }
  if (roll < 0.72) {
    const { token, flags: b } = keyToken(pick(d.keys));
    const invalidate = chance(0.2);
    const list = flags([
      ['q', 0.2],
      ['k', 0.2],
      [opaque, 0.1],
    ]);
    if (invalidate) list.push('I', ...(chance(0.5) ? [`T${pick(META_TTLS)}`] : []));
    return commandLine(`md ${token}`, [...b, ...list], chance(0.15) ? cas() : undefined);
  }
  if (roll < 0.92) {
    const decrement = chance(0.4);
    const key = decrement || chance(0.7) ? pick(d.numberKeys) : pick(d.keys);
    const { token, flags: b } = keyToken(key);
    const list = flags([
      ['v', 0.5],
      ['q', 0.15],
      ['t', 0.2],
      ['c', 0.2],
      ['k', 0.15],
      [opaque, 0.1],
      [() => `D${pick(d.deltas)}`, 0.6],
      [() => `N${pick(META_TTLS)}`, 0.2],
      [() => `J${int(1000)}`, 0.2],
    ]);
    // No T: 1.6.18 sets it on the item it read, which is lost when the incr wrote a new item (see decr padding).
    if (decrement) list.push(pick(['MD', 'M-', 'Md']));
    else if (chance(0.3)) list.push(pick(['MI', 'M+', 'Mi']));
    return commandLine(`ma ${token}`, [...b, ...list], chance(0.1) ? cas() : undefined);
  }
  if (roll < 0.96) return ['mn\r\n'];
  return [pick(MALFORMED_META)];
}
