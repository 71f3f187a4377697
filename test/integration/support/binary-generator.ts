import { Op } from '../../support/binary-frames.js';
import { NO_CREATE, UNISSUED_CAS, bin, frames, type BinaryChunk, type BinaryFrame, type BinaryStep, type FrameOptions } from './binary-script.js';
import { seededRandom } from '../../support/seeded-random.js';
import { casOf, type CasRef } from './script.js';

export interface GeneratedBinaryRun {
  readonly steps: BinaryStep[];
  /** Request frames in the steps; a pipelined step holds several. */
  readonly commands: number;
}

/**
 * A small pool makes hits, misses, cas conflicts and add/replace collisions
 * common. Binary keys are not tokenised, so spaces, CR LF, NUL and high bytes
 * are fair game. Two keys usually hold numbers so incr/decr succeed.
 */
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'n1', 'n2', 'x\xff', 'sp ace\r\n\x00', 'k'.repeat(250)];
const BAD_KEY = 'k'.repeat(251);
/** The only keys decr touches; append and prepend never touch them (decr padding, see docs/compatibility.md). */
const NUMBER_KEYS = ['n1', 'n2'];
const TEXT_KEYS = KEYS.filter((key) => !NUMBER_KEYS.includes(key));

/**
 * Exptimes whose effect does not depend on when the request arrives: never,
 * far future (relative, absolute, and 0xffffffff), already expired (an
 * absolute time in 1970).
 */
const EXPTIMES = [0, 0, 0, 0, 0, 100000, 2592000, 4102444800, 0xffff_ffff, 2592001];
const FLAGS = [0, 0, 0, 1, 255, 65535, 0xffff_ffff];
const DELTAS = [0n, 1n, 1n, 7n, 100n, 4294967296n, 18446744073709551615n, 18446744073709551614n];
/**
 * No stored number reaches 2^63. memcached's safe_strtoull() checks a number
 * of 2^63 or more for a minus sign with strchr(), which runs past the end of
 * the value (it is not NUL-terminated) into whatever the slab chunk held
 * before: a stray '-' there makes incr/decr answer "non-numeric" for a value
 * that is plainly digits. That depends on memory history (seen after a few
 * thousand commands, never on a fresh server), so the random stream keeps
 * counters below 2^63: increments stay small, initial values and stored
 * numbers too. The corpus covers 2^63 and up, and the wrap at 2^64, on a
 * nearly fresh server. Decrements keep every delta: they cannot grow a number.
 */
const INCR_DELTAS = DELTAS.filter((delta) => delta < 1n << 62n);
const INITIALS = [0n, 0n, 5n, 1000n, 18446744073709n, 1n << 62n];
/** Opcodes that are not commands (or not without SASL): answered "Unknown command" when they carry no body. */
const UNKNOWN_OPCODES = [Op.Verbosity, Op.SaslListMechs, 0x25, 0x30, 0x3c, 0xfe];

const zeros = (n: number): Buffer => Buffer.alloc(n);
/** C isspace(): what strtoull skips. */
const ONLY_WHITESPACE = /^[ \t\n\v\f\r]+$/;

/**
 * Frames that are wrong in ways clients get things wrong; memcached answers
 * each and closes the connection (the next step reconnects). None declares
 * more body than it carries, and none is one of the frames memcached itself
 * mis-frames (docs/binary-protocol.md, "Differences ... kept on purpose").
 */
const MALFORMED: readonly ((opaque: number) => BinaryFrame)[] = [
  (opaque) => bin.raw(Op.Get, { key: 'a', extras: zeros(4), opaque }),
  (opaque) => bin.raw(Op.GetKQ, { opaque }),
  (opaque) => bin.raw(Op.Set, { key: 'a', value: Buffer.from('v'), opaque }),
  (opaque) => bin.raw(Op.AddQ, { key: 'a', extras: zeros(4), value: Buffer.from('v'), opaque }),
  (opaque) => bin.raw(Op.Append, { key: 'a', extras: zeros(8), value: Buffer.from('v'), opaque }),
  (opaque) => bin.raw(Op.Delete, { key: 'a', value: Buffer.from('v'), opaque }),
  (opaque) => bin.raw(Op.Increment, { key: 'n1', extras: zeros(8), opaque }),
  (opaque) => bin.raw(Op.Noop, { value: Buffer.from('xx'), opaque }),
  (opaque) => bin.raw(Op.Version, { key: 'a', opaque }),
  (opaque) => bin.raw(Op.Flush, { extras: zeros(8), opaque }),
  (opaque) => bin.raw(Op.Touch, { key: 'a', opaque }),
  (opaque) => bin.raw(Op.GATK, { extras: zeros(4), opaque }),
  (opaque) => bin.raw(Op.Get, { key: 'abc', bodyLength: 2, opaque }),
  (opaque) => bin.getQ(BAD_KEY, { opaque }),
  (opaque) => bin.set(BAD_KEY, 'v', { opaque }),
  (opaque) => bin.raw(Op.Get, { key: 'a', magic: 0x81, opaque }),
];

/**
 * Generates `count` binary request frames from `seed`: every opcode, quiet
 * forms, cas on every command that honours one, pipelines of several frames
 * in one write (often quiet gets, as multi-get clients send them), unknown
 * opcodes, malformed frames, rare values near and over the 1 MiB item limit.
 */
export function generateBinaryCommands(seed: number, count: number): GeneratedBinaryRun {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const int = (below: number): number => Math.floor(random() * below);

  const value = (): Buffer => {
    const roll = random();
    if (roll < 0.3) return Buffer.from(String(int(1000)), 'latin1');
    // Large, but far enough below 2^63 that small increments never get there (see INCR_DELTAS).
    if (roll < 0.35) return Buffer.from(String((1n << 62n) - BigInt(int(3))), 'latin1');
    if (roll < 0.4) return Buffer.alloc(0);
    if (roll < 0.9985) {
      const bytes = Buffer.alloc(int(120));
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = chance(0.3) ? pick([0x0d, 0x0a, 0x00, 0x20, 0x80, 0x81]) : int(256);
      // memcached's incr/decr parse a value of nothing but whitespace past its
      // end (strtoull skips the value, its "\r\n" and on into whatever the
      // slab chunk held before: digits there make it a number), so the answer
      // depends on memory history.
      return ONLY_WHITESPACE.test(bytes.toString('latin1')) ? Buffer.concat([bytes, Buffer.from('x')]) : bytes;
    }
    // Rare big values: comfortably inside the 1 MiB item limit, or past it.
    return chance(0.5) ? Buffer.alloc(200_000 + int(300_000), 0x62) : Buffer.alloc(1048577 + int(5000), 0x63);
  };

  /** Most requests carry no cas; the rest the last one seen, an older one, or one never issued. */
  const cas = (): bigint | CasRef | undefined => {
    if (!chance(0.2)) return undefined;
    const roll = random();
    if (roll < 0.6) return casOf('last');
    if (roll < 0.85) return casOf(int(40));
    return roll < 0.93 ? 1n : UNISSUED_CAS;
  };
  /** Opaques below 2^31 (the sentinel's is above); 0 now and then. */
  const opaque = (): number => (chance(0.05) ? 0 : int(0x8000_0000));
  const options = (withCas: boolean): FrameOptions => ({ opaque: opaque(), ...(withCas ? { cas: cas() } : {}) });
  const quiet = <A extends unknown[]>(loud: (...args: A) => BinaryFrame, silent: (...args: A) => BinaryFrame, p = 0.25) => (chance(p) ? silent : loud);

  const command = (): BinaryFrame => {
    const roll = random();
    if (roll < 0.25) {
      const build = pick([quiet(bin.set, bin.setQ), quiet(bin.set, bin.setQ), quiet(bin.add, bin.addQ), quiet(bin.replace, bin.replaceQ)]);
      const key = pick(KEYS);
      const data = NUMBER_KEYS.includes(key) && chance(0.7) ? Buffer.from(String(int(100)), 'latin1') : value();
      return build(key, data, { flags: pick(FLAGS), exptime: pick(EXPTIMES), ...options(true) });
    }
    if (roll < 0.32) {
      const build = pick([quiet(bin.append, bin.appendQ), quiet(bin.prepend, bin.prependQ)]);
      return build(pick(TEXT_KEYS), value(), options(true));
    }
    if (roll < 0.54) {
      const build = pick([bin.get, bin.getQ, bin.getK, bin.getKQ]);
      return build(pick(KEYS), options(false));
    }
    if (roll < 0.58) {
      const build = pick([bin.gat, bin.gatQ, bin.gatK, bin.gatKQ]);
      return build(pick(KEYS), pick(EXPTIMES), options(false));
    }
    if (roll < 0.61) return bin.touch(pick(KEYS), pick(EXPTIMES), options(false));
    if (roll < 0.68) return quiet(bin.delete, bin.deleteQ)(pick(KEYS), options(true));
    if (roll < 0.82) {
      const incr = chance(0.5);
      const build = incr ? quiet(bin.increment, bin.incrementQ) : quiet(bin.decrement, bin.decrementQ);
      const key = !incr || chance(0.7) ? pick(NUMBER_KEYS) : pick(KEYS);
      const expiration = chance(0.3) ? NO_CREATE : pick(EXPTIMES.filter((e) => e !== 0xffff_ffff));
      return build(key, pick(incr ? INCR_DELTAS : DELTAS), pick(INITIALS), expiration, options(true));
    }
    if (roll < 0.825) return quiet(bin.flush, bin.flushQ, 0.5)(chance(0.5) ? 0 : undefined, options(false));
    if (roll < 0.85) return bin.noop(options(false));
    if (roll < 0.86) return bin.version(options(false));
    if (roll < 0.865) return bin.stat(pick(['', '', 'settings', 'reset']), options(false));
    if (roll < 0.875) return bin.raw(pick(UNKNOWN_OPCODES), options(false));
    if (roll < 0.878) return chance(0.5) ? bin.quit(options(false)) : bin.quitQ(options(false));
    if (roll < 0.89) return pick(MALFORMED)(opaque());
    return bin.getKQ(pick(KEYS), options(false));
  };

  const steps: BinaryStep[] = [];
  let commands = 0;
  while (commands < count) {
    // Now and then pipeline several frames in one write, as binary clients do.
    const batch = chance(0.12) ? 2 + int(5) : 1;
    const parts: BinaryChunk[] = [];
    for (let i = 0; i < batch && commands < count; i += 1) {
      const frame = command();
      parts.push(frame);
      commands += 1;
      // A value longer than memcached's 16 KiB read buffer ends the write: memcached reads it to its
      // end and sends what it holds; replies made after it in the same write would be sent or not
      // (and so safe or not from a bad magic byte) depending on where the kernel split the write.
      if (!Buffer.isBuffer(frame) && (frame.value?.length ?? 0) > 16_000) break;
    }
    steps.push(frames(...parts));
  }
  return { steps, commands };
}
