import { CAS_MAX, casFromWire, parseI32, parseU64 } from '../../domain/rules.js';
import type { Tokens } from '../protocol/tokenizer.js';

/** memcached's MFLAG_MAX_OPT_LENGTH: a meta line with this many tokens or more is refused. */
export const META_MAX_TOKENS = 20;
/** memcached's MFLAG_MAX_OPAQUE_LENGTH, which counts the flag letter too (so 31 opaque bytes at most). */
const MAX_OPAQUE = 32;

/** Which meta command a line is for: the flags each accepts differ only in the later-release extensions. */
export const enum MetaVerb {
  Get,
  Set,
  Delete,
  Arithmetic,
}

/**
 * The flags of one meta command line, parsed the way memcached 1.6.18's
 * _meta_flag_preparse does: every flag 1.6.18 knows is accepted by every meta
 * command (each command then uses its own), a repeated flag or an unknown one
 * fails the line at once, a bad argument fails it after the whole line was
 * read (the last bad argument names the error). The later-release flags are
 * accepted only where they mean something: E (explicit new cas) on mg, ms,
 * md and ma, x (remove the value) on md; anywhere else they are unknown, as
 * in 1.6.18.
 */
export interface MetaFlags {
  /** Which flag letters were present (by char code): the flags without an argument are only this (see `has`). */
  seen: Uint8Array;
  /** The key: base64-decoded when `b` was given (latin1), else as sent. */
  key: string;
  /**
   * memcached takes the item lock for N, T, R, l and h and bumps the item
   * only after the reply was written, so a reply that fails half way leaves
   * it unbumped.
   */
  locked: boolean;
  /** Numeric arguments; undefined when the flag is absent. */
  ttl?: number;
  vivify?: number;
  recache?: number;
  compareCas?: number;
  newCas?: number;
  clientFlags?: number;
  mode?: number;
  initial?: bigint;
  delta?: bigint;
  /**
   * The error memcached reports for the line, if any ("CLIENT_ERROR ..."
   * without CRLF); '' when the only bad argument was F, which sets no
   * message, so the command's default applies.
   */
  error?: string;
  /** True when the error is an unknown or a repeated flag (parsing stopped there). */
  hardError?: boolean;
  /**
   * Position among the flags (0 = first flag token) of an O longer than
   * memcached allows, or -1. memcached finds it only while writing the reply,
   * after the command has run (mg, ma) or before (md, ms): see each command.
   */
  longOpaque: number;
}

/** The flags that mean something by being there, by char code (see `has`). */
export const enum Flag {
  Base64 = 0x62, // b
  Value = 0x76, // v
  Quiet = 0x71, // q
  /** u: no LRU bump, so the hit is neither marked fetched nor accessed. */
  NoUpdate = 0x75,
  Invalidate = 0x49, // I
  RemoveValue = 0x78, // x
}

/** Is flag `c` (a char code) present. */
export function has(f: MetaFlags, c: number): boolean {
  return f.seen[c] === 1;
}

function letters(s: string): Uint8Array {
  const set = new Uint8Array(128);
  for (const c of s) set[c.charCodeAt(0)] = 1;
  return set;
}

/** The flags 1.6.18 knows, plus E; md also takes x. */
const KNOWN = letters('bNTRlOPLkstcfvhuqFCMJDIE');
const KNOWN_MD = letters('bNTRlOPLkstcfvhuqFCMJDIEx');
/** The flags for which memcached takes the item lock (see `locked`). */
const LOCKING = letters('NTRlh');

const BAD_TOKEN = 'CLIENT_ERROR bad token in command line format';

/** safe_strtol over the bytes after the letter of flag token `i`; undefined (and `error` noted) when refused. */
function i32Arg(f: MetaFlags, t: Tokens, i: number): number | undefined {
  const v = parseI32(t.buf, t.start(i) + 1, t.end(i));
  if (v === undefined) f.error = BAD_TOKEN;
  return v;
}

/** safe_strtoull over the bytes after the flag letter; undefined when refused. */
function flagU64(t: Tokens, i: number): bigint | undefined {
  return parseU64(t.buf, t.start(i) + 1, t.end(i));
}

/** flagU64 that notes `error` when refused. */
function u64Arg(f: MetaFlags, t: Tokens, i: number, error: string): bigint | undefined {
  const v = flagU64(t, i);
  if (v === undefined) f.error = error;
  return v;
}

/** Parses tokens [first, count) as the flags of `verb`; token 1 is the key. */
export function parseMetaFlags(t: Tokens, first: number, verb: MetaVerb): MetaFlags {
  const f: MetaFlags = { seen: new Uint8Array(128), key: '', locked: false, longOpaque: -1 };
  const known = verb === MetaVerb.Delete ? KNOWN_MD : KNOWN;
  for (let i = first; i < t.count; i++) {
    const o = t.byte(i);
    if (o >= 127 || f.seen[o] !== 0) return refused(f, 'CLIENT_ERROR duplicate flag');
    f.seen[o] = 1;
    if (known[o] !== 1) return refused(f, 'CLIENT_ERROR invalid flag');
    if (LOCKING[o] === 1) f.locked = true;
    readArgument(f, t, i, o, first);
  }
  if (f.error === undefined) f.key = has(f, Flag.Base64) ? decodeBase64Key(t.str(1))! : t.str(1);
  return f;
}

/** An unknown or repeated flag: parsing stops there. */
function refused(f: MetaFlags, error: string): MetaFlags {
  f.error = error;
  f.hardError = true;
  return f;
}

/** Reads the argument of flag token `i` (letter `o`), for the letters that take one or check their token. */
function readArgument(f: MetaFlags, t: Tokens, i: number, o: number, first: number): void {
  switch (o) {
    case 0x62: // b
      if (decodeBase64Key(t.str(1)) === undefined) f.error = 'CLIENT_ERROR error decoding key';
      break;
    case 0x4f: // O
      if (t.length(i) > MAX_OPAQUE) f.longOpaque = i - first;
      break;
    case 0x4d: // M
      if (t.length(i) !== 2) f.error = 'CLIENT_ERROR incorrect length for M token';
      else f.mode = t.byte(i, 1);
      break;
    case 0x4e: // N
      f.vivify = i32Arg(f, t, i);
      break;
    case 0x54: // T
      f.ttl = i32Arg(f, t, i);
      break;
    case 0x52: // R
      f.recache = i32Arg(f, t, i);
      break;
    case 0x4a: // J
      f.initial = u64Arg(f, t, i, 'CLIENT_ERROR invalid numeric initial value');
      break;
    case 0x44: // D
      f.delta = u64Arg(f, t, i, 'CLIENT_ERROR invalid numeric delta value');
      break;
    case 0x43: {
      // C
      const v = u64Arg(f, t, i, BAD_TOKEN);
      if (v !== undefined) f.compareCas = casFromWire(Number(v >> 32n), Number(v & 0xffff_ffffn));
      break;
    }
    case 0x45: {
      // E
      const v = flagU64(t, i);
      if (v === undefined || v > CAS_MAX) f.error = BAD_TOKEN;
      else f.newCas = Number(v);
      break;
    }
    case 0x46: {
      // F: safe_strtoflags sets no message, the command's own default applies.
      const v = flagU64(t, i);
      if (v === undefined) f.error ??= '';
      else f.clientFlags = Number(v & 0xffff_ffffn);
      break;
    }
  }
}

/** memcached's base64 decoding table: the alphabet, '=' as 0, -1 for bytes it skips. */
const DTABLE = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (DTABLE[c.charCodeAt(0)] = i));
DTABLE[0x3d] = 0;

/**
 * The binary key of a base64 key token (latin1), or undefined when it does
 * not decode. memcached's base64_decode: bytes outside the alphabet are
 * skipped, the rest must come in groups of four, decoding stops after the
 * first padded group.
 */
export function decodeBase64Key(token: string): string | undefined {
  let count = 0;
  for (let i = 0; i < token.length; i++) if (DTABLE[token.charCodeAt(i) & 0xff]! >= 0) count++;
  if (count === 0 || count % 4 !== 0) return undefined;
  const out: number[] = [];
  const block = [0, 0, 0, 0];
  let n = 0;
  let pad = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i) & 0xff;
    const v = DTABLE[c]!;
    if (v < 0) continue;
    if (c === 0x3d) pad++;
    block[n++] = v;
    if (n < 4) continue;
    out.push(((block[0]! << 2) | (block[1]! >> 4)) & 0xff, ((block[1]! << 4) | (block[2]! >> 2)) & 0xff, ((block[2]! << 6) | block[3]!) & 0xff);
    n = 0;
    if (pad > 0) {
      if (pad > 2) return undefined;
      out.length -= pad;
      break;
    }
  }
  return out.length === 0 ? undefined : String.fromCharCode(...out);
}

/** The canonical base64 of a binary key, as memcached re-encodes it for k. */
export function encodeBase64Key(key: string): string {
  return Buffer.from(key, 'latin1').toString('base64');
}
