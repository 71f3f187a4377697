/**
 * Pure memcached semantics, shared by every protocol front end.
 */

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

/**
 * Reads an unsigned 64-bit decimal exactly as memcached's safe_strtoull does
 * (it is what decides "non-numeric value"): optional leading whitespace, an
 * optional sign, at least one digit, then whitespace, NUL or the end. A
 * negative number is refused unless its two's complement is small, which is
 * what strtoull does. Returns undefined when memcached would refuse it.
 */
export function parseU64(bytes: Uint8Array, start = 0, end = bytes.length): bigint | undefined {
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
  const nDigits = i - digitsStart;
  if (nDigits === 0) return undefined;
  if (i < end && !isSpace(bytes[i]!) && bytes[i] !== 0) return undefined;
  let v: bigint;
  if (nDigits <= 15) {
    v = BigInt(small);
  } else {
    v = BigInt(Buffer.from(bytes.buffer, bytes.byteOffset + digitsStart, nDigits).toString('latin1'));
    if (v > MAX_U64) return undefined; // ERANGE
  }
  if (negative) {
    v = (MAX_U64 + 1n - v) & MAX_U64;
    if (v >= 0x8000_0000_0000_0000n) return undefined;
  }
  return v;
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
