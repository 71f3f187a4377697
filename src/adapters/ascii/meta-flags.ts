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
  /** Which flag letters were present (by char code). */
  seen: Uint8Array;
  /** The key: base64-decoded when `b` was given (latin1), else as sent. */
  key: string;
  base64: boolean;
  value: boolean;
  quiet: boolean;
  invalidate: boolean;
  removeValue: boolean;
  /** u: no LRU bump, so the hit is neither marked fetched nor accessed. */
  noUpdate: boolean;
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

/** safe_strtol over the bytes after the flag letter; undefined when refused. */
function flagI32(t: Tokens, i: number): number | undefined {
  return parseI32(t.buf, t.start(i) + 1, t.end(i));
}

function flagU64(t: Tokens, i: number): bigint | undefined {
  return parseU64(t.buf, t.start(i) + 1, t.end(i));
}

function letters(s: string): Uint8Array {
  const set = new Uint8Array(128);
  for (const c of s) set[c.charCodeAt(0)] = 1;
  return set;
}

/** The flags 1.6.18 knows, plus E; md also takes x. */
const KNOWN = letters('bNTRlOPLkstcfvhuqFCMJDIE');
const KNOWN_MD = letters('bNTRlOPLkstcfvhuqFCMJDIEx');

const BAD_TOKEN = 'CLIENT_ERROR bad token in command line format';

/** Parses tokens [first, count) as the flags of `verb`; token 1 is the key. */
export function parseMetaFlags(t: Tokens, first: number, verb: MetaVerb): MetaFlags {
  const f: MetaFlags = {
    seen: new Uint8Array(128),
    key: '',
    base64: false,
    value: false,
    quiet: false,
    invalidate: false,
    removeValue: false,
    noUpdate: false,
    locked: false,
    longOpaque: -1,
  };
  const known = verb === MetaVerb.Delete ? KNOWN_MD : KNOWN;
  const fail = (msg: string) => {
    f.error = msg;
  };
  for (let i = first; i < t.count; i++) {
    const o = t.byte(i);
    if (o >= 127 || f.seen[o] !== 0) {
      f.error = 'CLIENT_ERROR duplicate flag';
      f.hardError = true;
      return f;
    }
    f.seen[o] = 1;
    if (known[o] !== 1) {
      f.error = 'CLIENT_ERROR invalid flag';
      f.hardError = true;
      return f;
    }
    switch (o) {
      case 0x62: // b
        f.base64 = true;
        if (decodeBase64Key(t.str(1)) === undefined) fail('CLIENT_ERROR error decoding key');
        break;
      case 0x76: // v
        f.value = true;
        break;
      case 0x71: // q
        f.quiet = true;
        break;
      case 0x75: // u
        f.noUpdate = true;
        break;
      case 0x6c: // l
      case 0x68: // h
        f.locked = true;
        break;
      case 0x49: // I
        f.invalidate = true;
        break;
      case 0x78: // x
        f.removeValue = true;
        break;
      case 0x4f: // O
        if (t.length(i) > MAX_OPAQUE) f.longOpaque = i - first;
        break;
      case 0x4e: // N
        f.locked = true;
        f.vivify = flagI32(t, i);
        if (f.vivify === undefined) fail(BAD_TOKEN);
        break;
      case 0x54: // T
        f.locked = true;
        f.ttl = flagI32(t, i);
        if (f.ttl === undefined) fail(BAD_TOKEN);
        break;
      case 0x52: // R
        f.locked = true;
        f.recache = flagI32(t, i);
        if (f.recache === undefined) fail(BAD_TOKEN);
        break;
      case 0x46: {
        // F: safe_strtoflags sets no message, the command's own default applies.
        const v = flagU64(t, i);
        if (v === undefined) f.error ??= '';
        else f.clientFlags = Number(v & 0xffff_ffffn);
        break;
      }
      case 0x43: {
        // C
        const v = flagU64(t, i);
        if (v === undefined) fail(BAD_TOKEN);
        else f.compareCas = casFromWire(Number(v >> 32n), Number(v & 0xffff_ffffn));
        break;
      }
      case 0x45: {
        // E
        const v = flagU64(t, i);
        if (v === undefined || v > CAS_MAX) fail(BAD_TOKEN);
        else f.newCas = Number(v);
        break;
      }
      case 0x4d: // M
        if (t.length(i) !== 2) fail('CLIENT_ERROR incorrect length for M token');
        else f.mode = t.byte(i, 1);
        break;
      case 0x4a: {
        // J
        const v = flagU64(t, i);
        if (v === undefined) fail('CLIENT_ERROR invalid numeric initial value');
        else f.initial = v;
        break;
      }
      case 0x44: {
        // D
        const v = flagU64(t, i);
        if (v === undefined) fail('CLIENT_ERROR invalid numeric delta value');
        else f.delta = v;
        break;
      }
    }
  }
  if (f.error === undefined) f.key = f.base64 ? decodeBase64Key(t.str(1))! : t.str(1);
  return f;
}

/** Is flag letter `c` present. */
export function has(f: MetaFlags, c: string): boolean {
  return f.seen[c.charCodeAt(0)] === 1;
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
