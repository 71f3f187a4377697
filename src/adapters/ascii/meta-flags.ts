import { parseU64 } from '../../domain/rules.js';
import type { Tokens } from '../protocol/tokenizer.js';

/** memcached's MFLAG_MAX_OPT_LENGTH: a meta line with this many tokens or more is refused. */
export const META_MAX_TOKENS = 20;
/** memcached's MFLAG_MAX_OPAQUE_LENGTH, which counts the flag letter too (so 31 opaque bytes at most). */
const MAX_OPAQUE = 32;

/**
 * The flags of one meta command line, parsed the way memcached's
 * _meta_flag_preparse does: every known flag is accepted by every meta
 * command (each command then uses its own), a repeated flag or an unknown one
 * fails the line. E and x are memcached 1.6.21+ flags the issue asks for.
 */
export interface MetaFlags {
  /** Which flag letters were present (by char code). */
  seen: Uint8Array;
  /** Token indexes of the flags, in request order (reply flags follow it). */
  first: number;
  base64: boolean;
  value: boolean;
  quiet: boolean;
  invalidate: boolean;
  removeValue: boolean;
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
  /** The first error memcached reports for the line, if any ("CLIENT_ERROR ..." without CRLF). */
  error?: string;
  /** True when the error is a flag memcached does not know or a repeat (reported as is by every command). */
  hardError?: boolean;
}

const SIGNED = /^[\t\n\v\f\r ]*([+-]?[0-9]+)(?:[\t\n\v\f\r ]|$)/;

/** safe_strtol over the bytes after the flag letter; undefined when refused. */
function flagI32(t: Tokens, i: number): number | undefined {
  const m = SIGNED.exec(t.buf.toString('latin1', t.start(i) + 1, t.end(i)));
  if (!m) return undefined;
  const text = m[1]!;
  const b = BigInt(text.charCodeAt(0) === 0x2b ? text.slice(1) : text);
  if (b > 0x7fff_ffff_ffff_ffffn || b < -0x8000_0000_0000_0000n) return undefined;
  return Number(BigInt.asIntN(32, b));
}

function flagU64(t: Tokens, i: number): bigint | undefined {
  return parseU64(t.buf, t.start(i) + 1, t.end(i));
}

/** A cas from the wire: ours stay below 2^53, so a larger one can only mismatch. */
function casNumber(v: bigint): number {
  return v > 0x1f_ffff_ffff_ffffn ? -1 : Number(v);
}

const KNOWN = new Set('bNTRlOPLkstcfvhuqFCMJDIEx'.split('').map((c) => c.charCodeAt(0)));

/** Parses tokens [first, count) as meta flags. */
export function parseMetaFlags(t: Tokens, first: number): MetaFlags {
  const f: MetaFlags = { seen: new Uint8Array(128), first, base64: false, value: false, quiet: false, invalidate: false, removeValue: false };
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
    if (!KNOWN.has(o)) {
      f.error = 'CLIENT_ERROR invalid flag';
      f.hardError = true;
      return f;
    }
    switch (String.fromCharCode(o)) {
      case 'b':
        f.base64 = true;
        break;
      case 'v':
        f.value = true;
        break;
      case 'q':
        f.quiet = true;
        break;
      case 'I':
        f.invalidate = true;
        break;
      case 'x':
        f.removeValue = true;
        break;
      case 'O':
        if (t.length(i) > MAX_OPAQUE) fail('CLIENT_ERROR opaque token too long');
        break;
      case 'N': {
        const v = flagI32(t, i);
        if (v === undefined) fail('CLIENT_ERROR bad token in command line format');
        else f.vivify = v;
        break;
      }
      case 'T': {
        const v = flagI32(t, i);
        if (v === undefined) fail('CLIENT_ERROR bad token in command line format');
        else f.ttl = v;
        break;
      }
      case 'R': {
        const v = flagI32(t, i);
        if (v === undefined) fail('CLIENT_ERROR bad token in command line format');
        else f.recache = v;
        break;
      }
      case 'F': {
        const v = flagU64(t, i);
        // safe_strtoflags sets no message: the command's own default applies.
        if (v === undefined) f.error ??= '';
        else f.clientFlags = Number(v & 0xffff_ffffn);
        break;
      }
      case 'C': {
        const v = flagU64(t, i);
        if (v === undefined) fail('CLIENT_ERROR bad token in command line format');
        else f.compareCas = casNumber(v);
        break;
      }
      case 'E': {
        const v = flagU64(t, i);
        if (v === undefined || v > 0x1f_ffff_ffff_ffffn) fail('CLIENT_ERROR bad token in command line format');
        else f.newCas = Number(v);
        break;
      }
      case 'M':
        if (t.length(i) !== 2) fail('CLIENT_ERROR incorrect length for M token');
        else f.mode = t.byte(i, 1);
        break;
      case 'J': {
        const v = flagU64(t, i);
        if (v === undefined) fail('CLIENT_ERROR invalid numeric initial value');
        else f.initial = v;
        break;
      }
      case 'D': {
        const v = flagU64(t, i);
        if (v === undefined) fail('CLIENT_ERROR invalid numeric delta value');
        else f.delta = v;
        break;
      }
    }
  }
  return f;
}

/** Is flag letter `c` present. */
export function has(f: MetaFlags, c: string): boolean {
  return f.seen[c.charCodeAt(0)] === 1;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The binary key of a base64 key token (latin1), or undefined when it does not decode. */
export function decodeBase64Key(token: string): string | undefined {
  if (token.length === 0 || token.length % 4 !== 0 || !B64.test(token)) return undefined;
  const key = Buffer.from(token, 'base64').toString('latin1');
  return key.length === 0 ? undefined : key;
}
