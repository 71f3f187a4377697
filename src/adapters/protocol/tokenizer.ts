import { parseI32, parseU64 } from '../../domain/rules.js';

/**
 * memcached's command-line tokenizer over a Buffer: splits on single spaces
 * only (tabs belong to tokens), stops at a NUL like memcached's strlen(), and
 * records offsets instead of making strings, so only the tokens a command
 * actually reads are ever converted. Shared by every text front end (classic,
 * meta, streaming), reused for every line; the text sessions share one (ascii/line-tokens.ts).
 */
export class Tokens {
  buf: Buffer = Buffer.alloc(0);
  count = 0;
  private starts: number[] = [];
  private ends: number[] = [];

  /** Tokenizes buf[start, end). Returns the token count. */
  tokenize(buf: Buffer, start: number, end: number): number {
    this.buf = buf;
    const nul = buf.indexOf(0, start);
    if (nul !== -1 && nul < end) end = nul;
    let n = 0;
    let i = start;
    while (i < end) {
      while (i < end && buf[i] === 0x20) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && buf[i] !== 0x20) i++;
      this.starts[n] = s;
      this.ends[n] = i;
      n++;
    }
    this.count = n;
    return n;
  }

  length(i: number): number {
    return this.ends[i]! - this.starts[i]!;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  /** Token i as a latin1 string (one char per byte). */
  str(i: number): string {
    return this.buf.toString('latin1', this.starts[i]!, this.ends[i]!);
  }

  /** Token i equals an ASCII literal, compared byte by byte without a string. */
  is(i: number, literal: string): boolean {
    const s = this.starts[i]!;
    const n = this.ends[i]! - s;
    if (n !== literal.length) return false;
    for (let k = 0; k < n; k++) if (this.buf[s + k] !== literal.charCodeAt(k)) return false;
    return true;
  }

  /** First byte of token i. */
  byte(i: number, offset = 0): number {
    return this.buf[this.starts[i]! + offset]!;
  }
}

/** An all-digit token of at most 15 digits (the common case), or -1. */
function smallDigits(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * safe_strtoul: an unsigned 32-bit field (flags, verbosity). memcached parses
 * 64 bits then stores 32, so 4294967296 becomes 0; negatives are refused.
 * Returns -1 when memcached would refuse the token.
 */
export function tokenU32(t: Tokens, i: number): number {
  const v = smallDigits(t.buf, t.start(i), t.end(i));
  if (v >= 0) return v % 0x1_0000_0000;
  const b = parseU64(t.buf, t.start(i), t.end(i));
  return b === undefined ? -1 : Number(b & 0xffff_ffffn);
}

/**
 * safe_strtol: a signed field (exptime, value length). strtol's 64-bit range
 * is checked, then the value is truncated to int32 as memcached stores it.
 * Returns undefined when refused.
 */
export function tokenI32(t: Tokens, i: number): number | undefined {
  const v = smallDigits(t.buf, t.start(i), t.end(i));
  if (v >= 0) return v | 0;
  return parseI32(t.buf, t.start(i), t.end(i));
}

/** safe_strtoull over a token (cas unique, delta). Undefined when refused. */
export function tokenU64(t: Tokens, i: number): bigint | undefined {
  const v = smallDigits(t.buf, t.start(i), t.end(i));
  if (v >= 0) return BigInt(v);
  return parseU64(t.buf, t.start(i), t.end(i));
}
