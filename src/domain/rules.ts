/**
 * Pure memcached semantics, shared by every protocol front end.
 */

import { MAX_I64, MIN_I64 } from './signed-decimal.js';

/** memcached's KEY_MAX_LENGTH. */
export const KEY_MAX_LENGTH = 250;

/** Relative exptimes above this many seconds are absolute Unix times (memcached's REALTIME_MAXDELTA). */
export const REALTIME_MAXDELTA = 60 * 60 * 24 * 30;

/** memcached's slab_chunk_max (half its 1 MiB slab page): larger items are chunked, and never counters. */
export const SLAB_CHUNK_MAX = 512 * 1024;

/** Largest value a 64-bit counter holds. */
export const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/**
 * True when `key` (latin1, one char per byte) is a valid memcached key:
 * 1..250 bytes, no control characters and no space. Bytes >= 0x80 are allowed
 * (memcached treats keys as opaque bytes).
 */
export function isValidKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > KEY_MAX_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * Converts a protocol exptime (seconds) into an absolute epoch-ms expiry.
 * 0 = never; <= 30 days = relative; larger = absolute Unix time; negative =
 * already expired. memcached treats an absolute time at or before its start as
 * "already expired" too, which `processStartMs` reproduces.
 */
export function expiryFromExptime(exptime: number, nowMs: number, processStartMs = 0): number {
  if (exptime === 0) return 0;
  if (exptime < 0) return 1; // in the past: invisible at once
  if (exptime > REALTIME_MAXDELTA) {
    const abs = exptime * 1000;
    if (abs <= processStartMs) return 1;
    return abs;
  }
  return nowMs + exptime * 1000;
}

/** Remaining seconds until expiry as memcached reports it (-1 = never). */
export function remainingTtlSeconds(exptime: number, nowMs: number): number {
  if (exptime === 0) return -1;
  const left = Math.ceil((exptime - nowMs) / 1000);
  return left < 0 ? 0 : left;
}

/** What scanDecimal found (one scratch object: the parsers allocate nothing for small numbers). */
const scanned = { negative: false, digitsStart: 0, digitsEnd: 0, small: 0 };

/**
 * The prefix strtol/strtoull accept plus memcached's end check: optional
 * leading whitespace, an optional sign, at least one digit, then whitespace
 * (or NUL, when `nulEnds`) or the end. Fills `scanned`; false when refused.
 * `small` is the value of the first 15 digits.
 */
function scanDecimal(bytes: Uint8Array, start: number, end: number, nulEnds: boolean): boolean {
  let i = start;
  while (i < end && isSpace(bytes[i]!)) i++;
  let negative = false;
  if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d)) {
    negative = bytes[i] === 0x2d;
    i++;
  }
  const digitsStart = i;
  let small = 0;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    if (i - digitsStart < 15) small = small * 10 + (c - 0x30);
    i++;
  }
  if (i === digitsStart) return false;
  if (i < end && !isSpace(bytes[i]!) && !(nulEnds && bytes[i] === 0)) return false;
  scanned.negative = negative;
  scanned.digitsStart = digitsStart;
  scanned.digitsEnd = i;
  scanned.small = small;
  return true;
}

/** The scanned digits (more than 15 of them) as a non-negative BigInt. */
function scannedDigits(bytes: Uint8Array): bigint {
  return BigInt(Buffer.from(bytes.buffer, bytes.byteOffset + scanned.digitsStart, scanned.digitsEnd - scanned.digitsStart).toString('latin1'));
}

/**
 * Reads an unsigned 64-bit decimal exactly as memcached's safe_strtoull does
 * (it is what decides "non-numeric value"): optional leading whitespace, an
 * optional sign, at least one digit, then whitespace, NUL or the end. A
 * negative number is refused unless its two's complement is small, which is
 * what strtoull does. Returns undefined when memcached would refuse it.
 */
export function parseU64(bytes: Uint8Array, start = 0, end = bytes.length): bigint | undefined {
  if (!scanDecimal(bytes, start, end, true)) return undefined;
  let v: bigint;
  if (scanned.digitsEnd - scanned.digitsStart <= 15) {
    v = BigInt(scanned.small);
  } else {
    v = scannedDigits(bytes);
    if (v > MAX_U64) return undefined; // ERANGE
  }
  if (scanned.negative) {
    v = (MAX_U64 + 1n - v) & MAX_U64;
    if (v >= 0x8000_0000_0000_0000n) return undefined;
  }
  return v;
}

/**
 * Reads a signed decimal as memcached's safe_strtol does (exptime, value
 * length, meta N/T/R): leading whitespace, an optional sign, digits, then
 * whitespace or the end. strtol's 64-bit range is checked, then the value is
 * truncated to int32 as memcached stores it. Returns undefined when memcached
 * would refuse it. A command token holds no spaces but may hold tabs, \v,
 * \f and \r: memcached 1.6.18 accepts "set k \t5 0 1" (flags 5).
 */
export function parseI32(bytes: Uint8Array, start = 0, end = bytes.length): number | undefined {
  if (!scanDecimal(bytes, start, end, false)) return undefined;
  const { negative, small } = scanned;
  // ToInt32 (| 0) wraps modulo 2^32 exactly as the int64 -> int32 store does.
  if (scanned.digitsEnd - scanned.digitsStart <= 15) return (negative ? -small : small) | 0;
  const v = negative ? -scannedDigits(bytes) : scannedDigits(bytes);
  if (v > MAX_I64 || v < MIN_I64) return undefined; // ERANGE
  return Number(BigInt.asIntN(32, v));
}

/** Largest cas handed out or accepted as a new cas: a cas is a JS number, exact below 2^53. */
export const CAS_MAX = Number.MAX_SAFE_INTEGER;

/**
 * A 64-bit cas from the wire, given as its high and low 32-bit halves (so
 * the binary header is read without a BigInt): exact up to CAS_MAX, -1 above.
 * Our cas values never get there, so such a cas can only mismatch.
 */
export function casFromWire(hi: number, lo: number): number {
  return hi >= 0x20_0000 ? -1 : hi * 0x1_0000_0000 + lo;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** parseU64 for a command-line token (latin1 string). */
export function parseU64Token(token: string): bigint | undefined {
  return parseU64(Buffer.from(token, 'latin1'));
}

/**
 * The bytes memcached stores after incr/decr: the decimal result, padded with
 * spaces to the old length when it got shorter (memcached rewrites in place).
 */
export function counterBytes(value: bigint, oldLength: number): Buffer {
  const digits = value.toString();
  if (digits.length < oldLength) return Buffer.from(digits.padEnd(oldLength, ' '), 'latin1');
  return Buffer.from(digits, 'latin1');
}

/** incr wraps at 2^64; decr floors at 0. */
export function applyDelta(current: bigint, delta: bigint, incr: boolean): bigint {
  if (incr) return (current + delta) & MAX_U64;
  return current < delta ? 0n : current - delta;
}

/**
 * Bytes memcached charges an item against the item size limit:
 * sizeof(item) 48 + cas 8 + key + NUL + value + "\r\n", plus 4 when the
 * client flags are non-zero. Measured against memcached 1.6.18 (-I 1m accepts
 * a 1,048,516-byte value under a 1-byte key with flags 0, 4 bytes less with
 * flags), so "object too large" triggers at exactly the same sizes.
 */
export function itemTotalSize(keyLength: number, valueLength: number, flags: number): number {
  return 59 + keyLength + valueLength + (flags !== 0 ? 4 : 0);
}
