import { metaFaultCommand } from './meta-fault-generator.js';
import { metaCommand, type MetaDraw } from './meta-generator.js';
import { casOf, line, send, store, type Chunk, type SendStep, type StoreOptions } from './script.js';
import { seededRandom } from '../../support/seeded-random.js';

export interface GeneratedRun {
  readonly steps: SendStep[];
  /** Commands in the steps; a pipelined step holds several. */
  readonly commands: number;
  /** How many of them are meta commands (mg ms md ma mn me and malformed meta lines). */
  readonly metaCommands: number;
  /** How many of those came from the every-flag fault generator (meta-fault-generator.ts). */
  readonly metaFaultCommands: number;
}

/** Share of the stream that is meta commands. */
const META_SHARE = 0.35;
/** Share of the meta commands drawn by the fault generator rather than the well-formed one. */
const META_FAULT_SHARE = 0.4;

/**
 * A pool this small makes hits, misses, cas conflicts and add/replace
 * collisions common. Two keys usually hold numbers so incr/decr succeed.
 */
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'n1', 'n2', 'x\xff', 'k'.repeat(250)];
const BAD_KEYS = ['k'.repeat(251)];
/** The only keys decr touches; append and prepend never touch them. */
const NUMBER_KEYS = ['n1', 'n2'];
const TEXT_KEYS = KEYS.filter((key) => !NUMBER_KEYS.includes(key));

/**
 * Exptimes whose effect does not depend on when the request arrives: never,
 * far future (relative and absolute), already expired (negative, or an
 * absolute time in 1970).
 */
const EXPTIMES = [0, 0, 0, 0, 0, 100000, 2592000, 4102444800, -1, 2592001];
const FLAGS = [0, 0, 0, 1, 255, 65535, 4294967295];
/**
 * Deltas stay small enough that counters never reach 2^63: for such numbers memcached 1.6.18's
 * safe_strtoull() runs strchr() past the value into stale item memory, so its answer depends on
 * memory layout (seen: identical streams answered differently by the container and the local
 * binary). The hand-written corpus covers 2^63..2^64-1 and the wrap on fresh servers.
 */
const DELTAS = ['0', '1', '1', '7', '100', '4294967296', '1099511627776'];

/** Lines that are wrong in the ways clients get things wrong. Each is complete: none leaves a data block pending. */
const MALFORMED: readonly string[] = [
  'bogus\r\n',
  'GET a\r\n',
  '\r\n',
  'get\r\n',
  'set a 0 0\r\n',
  'set a x 0 1\r\nz\r\n',
  'set a 0 0 1 2 3\r\n',
  'set a 0 0 -5\r\n',
  'cas a 0 0 1\r\nz\r\n',
  'incr a\r\n',
  'incr a x\r\n',
  'decr n1 -3\r\n',
  'touch a\r\n',
  'gat a\r\n',
  'delete a 9\r\n',
  'flush_all x\r\n',
  'verbosity\r\n',
  'set a 0 0 2\r\nabc\r\n',
  'set a 0 0 4\r\nab\r\nxyz\r\n',
  `get ${BAD_KEYS[0]}\r\n`,
  `set ${BAD_KEYS[0]} 0 0 1\r\nz\r\n`,
  `get ${Array.from({ length: 26 }, (_, i) => `k${i}`).join(' ')}\r\n`,
  'get a\n',
  `${'z'.repeat(3000)}\r\n`,
];

/**
 * Generates `count` commands of the classic protocol from `seed`: every
 * command, noreply sometimes, occasional pipelining of several commands in
 * one write, occasional malformed lines, rare values over 1 MiB.
 */
export function generateCommands(seed: number, count: number): GeneratedRun {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const int = (below: number): number => Math.floor(random() * below);

  const value = (): Buffer => {
    const roll = random();
    if (roll < 0.3) return Buffer.from(String(int(1000)), 'latin1');
    if (roll < 0.35) return Buffer.from(String(4611686018427387904n - BigInt(int(3))), 'latin1'); // 2^62, see DELTAS
    if (roll < 0.4) return Buffer.alloc(0);
    if (roll < 0.9985) {
      const bytes = Buffer.alloc(int(120));
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = chance(0.3) ? pick([0x0d, 0x0a, 0x00, 0x20]) : int(256);
      // A whitespace-only value makes memcached's strtoull (incr/decr) read past it: undefined, avoided.
      if (bytes.length > 0 && bytes.every((b) => b === 0x20 || (b >= 0x09 && b <= 0x0d))) bytes[0] = 0x78;
      return bytes;
    }
    // Rare big values: comfortably inside the 1 MiB item limit, or past it.
    return chance(0.5) ? Buffer.alloc(200_000 + int(300_000), 0x62) : Buffer.alloc(1048577 + int(5000), 0x63);
  };

  const noreply = (): boolean => chance(0.15);
  const keys = (): string => {
    const n = 1 + int(5);
    return Array.from({ length: n }, () => (chance(0.02) ? pick(BAD_KEYS) : pick(KEYS))).join(' ');
  };

  const command = (): Chunk[] => {
    const roll = random();
    if (roll < 0.3) {
      const verb = pick(['set', 'set', 'set', 'add', 'replace', 'append', 'prepend']);
      // Appending to a number decr may have padded would make the padding
      // (timing-dependent in memcached, see ReplyNormaliser) part of the value.
      const key = verb === 'append' || verb === 'prepend' ? pick(TEXT_KEYS) : pick(KEYS);
      const options: StoreOptions = { flags: pick(FLAGS), exptime: pick(EXPTIMES), noreply: noreply() };
      return [...store(verb, key, key.startsWith('n') && chance(0.7) ? Buffer.from(String(int(100)), 'latin1') : value(), options).parts];
    }
    if (roll < 0.38) {
      const ref = chance(0.6) ? casOf('last') : chance(0.7) ? casOf(int(40)) : '1';
      return [...store('cas', pick(KEYS), value(), { cas: ref, flags: pick(FLAGS), noreply: noreply() }).parts];
    }
    if (roll < 0.6) return [...line(`${pick(['get', 'gets', 'gets'])} ${keys()}`).parts];
    if (roll < 0.66) return [...line(`${pick(['gat', 'gats'])} ${pick(EXPTIMES)} ${keys()}`).parts];
    if (roll < 0.7) return [...line(`touch ${pick(KEYS)} ${pick(EXPTIMES)}${noreply() ? ' noreply' : ''}`).parts];
    if (roll < 0.77) return [...line(`delete ${pick(KEYS)}${noreply() ? ' noreply' : ''}`).parts];
    if (roll < 0.9) {
      const verb = pick(['incr', 'decr']);
      const key = verb === 'decr' || chance(0.7) ? pick(NUMBER_KEYS) : pick(KEYS);
      return [...line(`${verb} ${key} ${pick(DELTAS)}${noreply() ? ' noreply' : ''}`).parts];
    }
    if (roll < 0.905) return [...line(`flush_all${chance(0.2) ? ' 0' : ''}${noreply() ? ' noreply' : ''}`).parts];
    if (roll < 0.915) return [...line('version').parts];
    if (roll < 0.92) return [...line(`verbosity ${int(2)}${noreply() ? ' noreply' : ''}`).parts];
    if (roll < 0.925) return [...line('stats').parts];
    if (roll < 0.97) return [pick(MALFORMED)];
    return [...line(`get ${pick(KEYS)}`).parts];
  };

  const draw: MetaDraw = { random, keys: KEYS, numberKeys: NUMBER_KEYS, textKeys: TEXT_KEYS, flags: FLAGS, deltas: DELTAS, value };

  const steps: SendStep[] = [];
  let commands = 0;
  let metaCommands = 0;
  let metaFaultCommands = 0;
  while (commands < count) {
    // Now and then pipeline a few commands in one write, as real clients do.
    const batch = chance(0.05) ? 2 + int(3) : 1;
    const parts: Chunk[] = [];
    for (let i = 0; i < batch && commands < count; i += 1) {
      if (chance(META_SHARE)) {
        const fault = chance(META_FAULT_SHARE);
        parts.push(...(fault ? metaFaultCommand(draw) : metaCommand(draw)));
        metaCommands += 1;
        if (fault) metaFaultCommands += 1;
      } else {
        parts.push(...command());
      }
      commands += 1;
      // A data block longer than memcached's 16 KiB read buffer ends the write: memcached reads it
      // to its end and then sends what it holds; a reply made after it would be sent or not (and so
      // safe or not from a failed multi-get's cull) depending on where the kernel split the rest.
      if (parts.some((p) => Buffer.isBuffer(p) && p.length > 16_384)) break;
    }
    steps.push(send(...parts));
  }
  return { steps, commands, metaCommands, metaFaultCommands };
}
