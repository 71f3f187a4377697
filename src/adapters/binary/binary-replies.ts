import type { MetaArithmeticResult } from '../../application/arithmetic.js';
import type { StatsGroup } from '../../application/stats.js';
import type { StoreOutcome } from '../../application/storage.js';
import { ErrorText, HEADER_LENGTH, Op, RESPONSE_MAGIC, Status } from './binary-protocol.js';

const TWO_32 = 0x1_0000_0000;

/**
 * Encodes a response header (and room for `extrasLength` bytes of extras
 * right after it, which the caller fills). The 64-bit cas is written as two
 * 32-bit halves: our cas values are JS numbers below 2^53, so no BigInt is
 * needed on the hot path.
 */
export function responseHeader(
  opcode: number,
  status: number,
  keyLength: number,
  extrasLength: number,
  bodyLength: number,
  opaque: number,
  cas: number,
): Buffer {
  const h = Buffer.allocUnsafe(HEADER_LENGTH + extrasLength);
  h[0] = RESPONSE_MAGIC;
  h[1] = opcode;
  h.writeUInt16BE(keyLength, 2);
  h[4] = extrasLength;
  h[5] = 0; // raw bytes
  h.writeUInt16BE(status, 6);
  h.writeUInt32BE(bodyLength, 8);
  h.writeUInt32BE(opaque, 12);
  h.writeUInt32BE(Math.floor(cas / TWO_32), 16);
  h.writeUInt32BE(cas >>> 0, 20);
  return h;
}

/** The body memcached sends with each error status. */
const errorBodies = new Map<number, Buffer>(Object.entries(ErrorText).map(([status, text]) => [Number(status), Buffer.from(text, 'latin1')]));

/** The default error text of `status` as bytes. */
export function errorBody(status: Status): Buffer {
  return errorBodies.get(status) ?? Buffer.alloc(0);
}

/** One packet per stat (key = name, value = text), then an empty packet ends the list; one Buffer for all. */
export function statPackets(opcode: number, opaque: number, pairs: readonly (readonly [string, string | number])[]): Buffer {
  let size = HEADER_LENGTH;
  const encoded: [Buffer, Buffer][] = [];
  for (const [name, value] of pairs) {
    const k = Buffer.from(name, 'latin1');
    const v = Buffer.from(String(value), 'latin1');
    encoded.push([k, v]);
    size += HEADER_LENGTH + k.length + v.length;
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const [k, v] of encoded) {
    off += responseHeader(opcode, Status.Ok, k.length, 0, k.length + v.length, opaque, 0).copy(out, off);
    off += k.copy(out, off);
    off += v.copy(out, off);
  }
  responseHeader(opcode, Status.Ok, 0, 0, 0, opaque, 0).copy(out, off);
  return out;
}

/** Incr/decr's 8-byte big-endian result. */
export function counterBody(value: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(value);
  return b;
}

/** A stats group as packets, or undefined when memcached answers "Not found". */
export function statsReply(r: StatsGroup, opcode: number, opaque: number): Buffer | undefined {
  switch (r.kind) {
    case 'pairs':
      return statPackets(opcode, opaque, r.pairs);
    case 'reset':
    case 'detail-set':
      return statPackets(opcode, opaque, []);
    case 'detail-dump':
      return statPackets(opcode, opaque, [['detailed', r.lines.map((l) => l + '\r\n').join('') + 'END\r\n']]);
    default:
      return undefined;
  }
}

/** The status of a use-case outcome that wrote nothing, where it does not depend on the command. */
const FAILURE_STATUS = {
  exists: Status.KeyExists,
  'not-found': Status.KeyNotFound,
  'no-memory': Status.OutOfMemory,
  'not-stored': Status.NotStored,
  'non-numeric': Status.NonNumeric,
} as const;

/** memcached's complete_update_bin: a storage command that stored nothing; add and replace say why in their own terms. */
export function storeFailureStatus(outcome: Exclude<StoreOutcome, 'stored'>, cmd: number): Status {
  if (outcome !== 'not-stored') return FAILURE_STATUS[outcome];
  return cmd === Op.Add ? Status.KeyExists : cmd === Op.Replace ? Status.KeyNotFound : Status.NotStored;
}

/** The status of an incr/decr that produced no number (a miss is handled by the caller: it may create the counter). */
export function arithmeticFailureStatus(status: Exclude<MetaArithmeticResult['status'], 'ok' | 'not-found'>): Status {
  return FAILURE_STATUS[status];
}
