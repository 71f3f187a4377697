import type { MetaArithmeticResult } from '../../application/arithmetic.js';
import type { DeleteOutcome } from '../../application/deletion.js';
import type { MetaGetHit } from '../../application/meta.js';
import type { StoreOutcome } from '../../application/storage.js';
import type { CacheItem } from '../../domain/item.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';
import { Flag, encodeBase64Key, has, type MetaFlags } from './meta-flags.js';

/** The meta commands' error lines, byte for byte as memcached 1.6.18 sends them. */
export const MetaError = {
  /** mg's wording; ms, md and ma say it without "are". */
  MG_TOO_MANY_FLAGS: 'CLIENT_ERROR options flags are too long\r\n',
  TOO_MANY_FLAGS: 'CLIENT_ERROR options flags too long\r\n',
  /** md and ma report every flag error with this one line. */
  INVALID_FLAG: 'CLIENT_ERROR invalid or duplicate flag\r\n',
  OPAQUE_TOO_LONG: 'CLIENT_ERROR opaque token too long\r\n',
  MS_BAD_MODE: 'CLIENT_ERROR invalid mode for ms M token\r\n',
  MA_BAD_MODE: 'CLIENT_ERROR invalid mode for ma M token\r\n',
  MA_NO_MEMORY: 'SERVER_ERROR out of memory\r\n',
} as const;

/** The line for a flag-parsing error: its own message, or the command's default when it set none. */
export function flagErrorLine(f: MetaFlags): string {
  return f.error === '' || f.error === undefined ? Reply.BAD_FORMAT : f.error + '\r\n';
}

/**
 * What a reply needs from the request line once the tokenizer has moved on
 * (replies of asynchronous commands are written later): the flag tokens in
 * request order and the key as the client sent it.
 */
export interface Echo {
  keyToken: string;
  base64: boolean;
  flags: string[];
}

/** A base64 key is echoed re-encoded from the key it decoded to, as memcached does. */
export function echoOf(t: Tokens, first: number, f: MetaFlags): Echo {
  const flags: string[] = [];
  for (let i = first; i < t.count; i++) flags.push(t.str(i));
  const base64 = has(f, Flag.Base64);
  return { keyToken: base64 ? encodeBase64Key(f.key) : t.str(1), base64, flags };
}

/**
 * The flags memcached gets to apply before it meets an over-long opaque
 * while writing the reply (all of them when there is none).
 */
export function appliedBeforeOpaque(e: Echo, f: MetaFlags): Echo {
  return f.longOpaque < 0 ? e : { ...e, flags: e.flags.slice(0, f.longOpaque) };
}

/** Whether flag `a` is present and comes after every flag `b` (by char code) in the request. */
export function comesLater(e: Echo, a: number, b: number): boolean {
  let last = 0;
  for (const flag of e.flags) {
    const c = flag.charCodeAt(0);
    if (c === a || c === b) last = c;
  }
  return last === a;
}

/** Whether flag `c` (char code) is among `e`'s flags. */
export function echoes(e: Echo, c: number): boolean {
  for (const flag of e.flags) if (flag.charCodeAt(0) === c) return true;
  return false;
}

/**
 * Whether T comes after N in the request. memcached applies T and N while
 * writing the reply, flag by flag, so an item created by N ends up with the
 * TTL of whichever comes last.
 */
export function ttlAfterVivify(e: Echo): boolean {
  return comesLater(e, 0x54, 0x4e);
}

/** The O and k echo every meta reply carries, in request order. */
export function opaqueAndKey(e: Echo): string {
  let out = '';
  for (const flag of e.flags) {
    const c = flag.charCodeAt(0);
    if (c === 0x4f)
      out += ' ' + flag; // O<opaque>
    else if (c === 0x6b) out += ' k' + e.keyToken + (e.base64 ? ' b' : '');
  }
  return out;
}

/** The TTL an exptime gives, in `t`'s terms. */
export type TtlFor = (exptime: number) => number;

/**
 * Appends the flags an mg or ma reply shows, in the client's order.
 * memcached applies T and N (N only to the item it created) flag by flag
 * while writing the reply, so t shows the TTL as of its own position; a
 * created item starts immortal. `hit` adds mg's own flags (s, f, l, h).
 */
function appendFlags(line: string, e: Echo, f: MetaFlags, ttlFor: TtlFor, item: CacheItem, created: boolean, ttlBefore: number, hit?: MetaGetHit): string {
  let ttl = created ? -1 : ttlBefore;
  for (const flag of e.flags) {
    const code = flag.charCodeAt(0);
    switch (code) {
      case 0x54: // T
        ttl = ttlFor(f.ttl!);
        break;
      case 0x4e: // N
        if (created) ttl = ttlFor(f.vivify!);
        break;
      case 0x74: // t
        line += ' t' + ttl;
        break;
      case 0x63: // c
        line += ' c' + item.cas;
        break;
      case 0x4f: // O
        line += ' ' + flag;
        break;
      case 0x6b: // k
        // The item's key, encoded the way the item was stored (mg) or the request named it (ma).
        line += (hit ? hit.binaryKey : e.base64) ? ' k' + encodeBase64Key(item.key) + ' b' : ' k' + item.key;
        break;
      default:
        if (hit) line += mgFlag(code, hit);
    }
  }
  return line;
}

/** The flags only mg shows. */
function mgFlag(code: number, hit: MetaGetHit): string {
  switch (code) {
    case 0x73: // s
      return ' s' + hit.item.value.length;
    case 0x66: // f
      return ' f' + hit.item.flags;
    case 0x6c: // l
      return ' l' + hit.lastAccessSeconds;
    case 0x68: // h
      return hit.hitBefore ? ' h1' : ' h0';
    default:
      return '';
  }
}

/** mg's status line for a hit (without CRLF; the value, if asked for, follows it). */
export function mgHitLine(hit: MetaGetHit, f: MetaFlags, e: Echo, ttlFor: TtlFor): string {
  const { item } = hit;
  let line = appendFlags(has(f, Flag.Value) ? 'VA ' + item.value.length : 'HD', e, f, ttlFor, item, hit.created, hit.ttlBefore, hit);
  // memcached's order: Z, then X, then W.
  if (hit.tokenSent) line += ' Z';
  if (hit.stale) line += ' X';
  if (hit.won) line += ' W';
  return line;
}

/** ms's reply line, or undefined when q hides it. */
export function msLine(outcome: StoreOutcome, cas: number, f: MetaFlags, e: Echo): string | undefined {
  let line: string;
  switch (outcome) {
    case 'stored':
      if (has(f, Flag.Quiet)) return undefined;
      line = 'HD';
      break;
    case 'not-stored':
      line = 'NS';
      break;
    case 'exists':
      line = 'EX';
      break;
    case 'not-found':
      line = 'NF';
      break;
    case 'no-memory':
      return Reply.NO_MEMORY;
  }
  if (outcome !== 'stored') cas = 0;
  for (const flag of e.flags) {
    const c = flag.charCodeAt(0);
    if (c === 0x4f) line += ' ' + flag;
    else if (c === 0x6b) line += ' k' + e.keyToken + (e.base64 ? ' b' : '');
    else if (c === 0x63) line += ' c' + cas;
  }
  return line + '\r\n';
}

/** md's reply line, or undefined when q hides it. */
export function mdLine(outcome: DeleteOutcome, f: MetaFlags, e: Echo): string | undefined {
  if (outcome === 'deleted' && has(f, Flag.Quiet)) return undefined;
  return (outcome === 'deleted' ? 'HD' : outcome === 'exists' ? 'EX' : 'NF') + opaqueAndKey(e) + '\r\n';
}

/** ma's reply when the arithmetic did not produce a number. */
export function maFailureLine(r: Exclude<MetaArithmeticResult, { status: 'ok' }>, e: Echo): string {
  switch (r.status) {
    case 'non-numeric':
      return Reply.NON_NUMERIC;
    case 'no-memory':
      return MetaError.MA_NO_MEMORY;
    default:
      return (r.status === 'exists' ? 'EX' : r.status === 'not-stored' ? 'NS' : 'NF') + opaqueAndKey(e) + '\r\n';
  }
}

/** ma's reply for a number (with its value block when v was given). */
export function maValueReply(
  r: Extract<MetaArithmeticResult, { status: 'ok' }>,
  f: MetaFlags,
  e: Echo,
  ttlOf: (expiry: number) => number,
  ttlFor: TtlFor,
): string {
  const digits = r.value.toString();
  const line = appendFlags(has(f, Flag.Value) ? 'VA ' + digits.length : 'HD', e, f, ttlFor, r.item, r.created, r.created ? -1 : ttlOf(r.item.exptime));
  return has(f, Flag.Value) ? line + '\r\n' + digits + '\r\n' : line + '\r\n';
}
