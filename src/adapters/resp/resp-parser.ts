import { parseSignedDecimal } from '../../domain/signed-decimal.js';
import type { ArgList } from './arg-list.js';

/** Redis's PROTO_INLINE_MAX_SIZE: a line (inline request or count) without its newline in this many bytes is refused. */
export const INLINE_MAX = 64 * 1024;
/** Before authentication Redis accepts only small requests (this many arguments, bulks of this size). */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
const INT_MAX = 0x7fff_ffff;

export interface ParseLimits {
  /** Redis's proto-max-bulk-len: a longer bulk is a protocol error. */
  maxBulk: number;
  authenticated: boolean;
}

/** parseRequest results besides a position: need more input, or a protocol error (message in `error`). */
export const NEED_MORE = -1;
export const PROTOCOL_ERROR = -2;

/** Where parseRequest leaves the text of a protocol error. */
export const parseError = { message: '' };

/**
 * Parses one request at `pos` as Redis 7.0 does (networking.c): a multibulk
 * when it starts with '*', an inline command line otherwise. Fills `args` and
 * returns the position after the request, NEED_MORE, or PROTOCOL_ERROR.
 * Stateless: an incomplete request is parsed again from its start when more
 * input arrives.
 */
export function parseRequest(b: Buffer, pos: number, args: ArgList, limits: ParseLimits): number {
  return b[pos] === 0x2a ? parseMultibulk(b, pos, args, limits) : parseInline(b, pos, args);
}

function fail(message: string): number {
  parseError.message = message;
  return PROTOCOL_ERROR;
}

function parseMultibulk(b: Buffer, pos: number, args: ArgList, limits: ParseLimits): number {
  const end = b.length;
  let cr = digitsEnd(b, pos + 1, end);
  let count: bigint | number | undefined = fastInt;
  if (cr === -1) {
    cr = b.indexOf(0x0d, pos);
    if (cr === -1 || cr + 1 >= end) return end - pos > INLINE_MAX ? fail('too big mbulk count string') : NEED_MORE;
    count = parseSignedDecimal(b, pos + 1, cr);
  } else if (cr + 1 >= end) return NEED_MORE;
  if (count === undefined || count > INT_MAX) return fail('invalid multibulk length');
  if (!limits.authenticated && count > UNAUTH_MAX_ARGS) return fail('unauthenticated multibulk length');
  let p = cr + 2;
  args.reset(b);
  const n = Number(count);
  for (let i = 0; i < n; i++) {
    if (p >= end) return NEED_MORE;
    let lcr = b[p] === 0x24 ? digitsEnd(b, p + 1, end) : -1;
    let len: bigint | number | undefined = fastInt;
    if (lcr === -1) {
      lcr = b.indexOf(0x0d, p);
      if (lcr === -1 || lcr + 1 >= end) return end - p > INLINE_MAX ? fail('too big bulk count string') : NEED_MORE;
      if (b[p] !== 0x24) return fail(`expected '$', got '${String.fromCharCode(b[p]!)}'`);
      len = parseSignedDecimal(b, p + 1, lcr);
    } else if (lcr + 1 >= end) return NEED_MORE;
    if (len === undefined || len < 0 || len > limits.maxBulk) return fail('invalid bulk length');
    if (!limits.authenticated && len > UNAUTH_MAX_BULK) return fail('unauthenticated bulk length');
    const start = lcr + 2;
    const stop = start + Number(len);
    // Redis skips the two bytes after a bulk without looking at them.
    if (stop + 2 > end) return NEED_MORE;
    args.push(start, stop);
    p = stop + 2;
  }
  return p;
}

/** The value digitsEnd read. */
let fastInt = 0;

/**
 * The common case of a count or length line, read in one pass: 1 to 15
 * digits without a leading zero (or "0") ending in CR. Sets `fastInt` and
 * returns the CR's index; -1 for anything else (then the general path,
 * Redis's string2ll, decides).
 */
function digitsEnd(b: Buffer, from: number, end: number): number {
  let v = 0;
  let i = from;
  const limit = Math.min(end, from + 15);
  for (; i < limit; i++) {
    const c = b[i]!;
    if (c === 0x0d) break;
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  if (i === from || i >= limit || b[i] !== 0x0d) return -1;
  if (b[from] === 0x30 && i - from > 1) return -1;
  fastInt = v;
  return i;
}

function parseInline(b: Buffer, pos: number, args: ArgList): number {
  const nl = b.indexOf(0x0a, pos);
  if (nl === -1) return b.length - pos > INLINE_MAX ? fail('too big inline request') : NEED_MORE;
  const lineEnd = nl > pos && b[nl - 1] === 0x0d ? nl - 1 : nl;
  if (!splitArgs(b, pos, lineEnd, args)) return fail('unbalanced quotes in request');
  return nl + 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** The byte a backslash escape in double quotes stands for. */
function unescaped(e: number): number {
  return e === 0x6e ? 0x0a : e === 0x72 ? 0x0d : e === 0x74 ? 0x09 : e === 0x62 ? 0x08 : e === 0x61 ? 0x07 : e;
}

/**
 * Redis's sdssplitargs over the line [from, to): blanks separate arguments,
 * "double quotes" take \xHH and \n \r \t \b \a escapes, 'single quotes' take
 * \', a closing quote must be followed by a blank or the end, and a NUL
 * byte ends the line (it is a C string there). False on unbalanced quotes.
 */
function splitArgs(b: Buffer, from: number, to: number, args: ArgList): boolean {
  const nul = b.indexOf(0, from);
  if (nul !== -1 && nul < to) to = nul;
  const out = Buffer.allocUnsafe(to - from);
  let w = 0;
  args.reset(out);
  let p = from;
  const at = (i: number): number => (i < to ? b[i]! : 0);
  for (;;) {
    while (p < to && isSpace(b[p]!)) p++;
    if (p >= to) return true;
    const start = w;
    // The open quote (0x22 or 0x27), 0 outside quotes.
    let quote = 0;
    for (let done = false; !done;) {
      const c = at(p);
      if (quote !== 0) {
        if (quote === 0x22 && c === 0x5c && at(p + 1) === 0x78 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          out[w++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === 0x5c && (quote === 0x22 ? at(p + 1) !== 0 : at(p + 1) === 0x27)) {
          // "\n" and the like in double quotes; only \' in single quotes (unescaped to itself).
          p++;
          out[w++] = unescaped(at(p));
        } else if (c === quote) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return false;
          done = true;
        } else if (c === 0) {
          return false;
        } else out[w++] = c;
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else out[w++] = c;
      if (p < to) p++;
    }
    args.push(start, w);
  }
}
