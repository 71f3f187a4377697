import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH, itemTotalSize } from '../../domain/rules.js';
import type { MetaArithmeticResult } from '../../application/arithmetic.js';
import type { DeleteOutcome } from '../../application/deletion.js';
import type { MetaUseCase, MetaGetHit } from '../../application/meta.js';
import { StoreMode, type StoreOutcome, type StoreReceipt } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { tokenI32 } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';
import type { AsciiExtension, AsciiSession } from './ascii-session.js';
import { META_MAX_TOKENS, decodeBase64Key, parseMetaFlags, type MetaFlags } from './meta-flags.js';

/** mg's wording; ms, md and ma say it without "are" (1.6.18). */
const MG_TOO_MANY_FLAGS = 'CLIENT_ERROR options flags are too long\r\n';
const TOO_MANY_FLAGS = 'CLIENT_ERROR options flags too long\r\n';
const BAD_KEY_ENCODING = 'CLIENT_ERROR error decoding key\r\n';
const INVALID_FLAG = 'CLIENT_ERROR invalid or duplicate flag\r\n';
const MS_BAD_MODE = 'CLIENT_ERROR invalid mode for ms M token\r\n';
const MA_BAD_MODE = 'CLIENT_ERROR invalid mode for ma M token\r\n';
const MA_NO_MEMORY = 'SERVER_ERROR out of memory\r\n';

/**
 * What a reply needs from the request line once the tokenizer has moved on
 * (replies of asynchronous commands are written later): the flag tokens in
 * request order and the key as the client sent it.
 */
interface Echo {
  keyToken: string;
  base64: boolean;
  flags: string[];
}

function echoOf(t: Tokens, first: number, base64: boolean): Echo {
  const flags: string[] = [];
  for (let i = first; i < t.count; i++) flags.push(t.str(i));
  return { keyToken: t.str(1), base64, flags };
}

/**
 * Whether T comes after N in the request. memcached applies T and N while
 * writing the reply, flag by flag, so an item created by N ends up with the
 * TTL of whichever comes last.
 */
function ttlAfterVivify(e: Echo): boolean {
  return comesLater(e, 0x54, 0x4e);
}

/** Whether flag `a` is present and comes after every flag `b` (by char code) in the request. */
function comesLater(e: Echo, a: number, b: number): boolean {
  let last = 0;
  for (const f of e.flags) {
    const c = f.charCodeAt(0);
    if (c === a || c === b) last = c;
  }
  return last === a;
}

/** The O and k echo every meta reply carries, in request order. */
function opaqueAndKey(e: Echo): string {
  let out = '';
  for (const f of e.flags) {
    const c = f.charCodeAt(0);
    if (c === 0x4f) out += ' ' + f; // O<opaque>
    else if (c === 0x6b) out += ' k' + e.keyToken + (e.base64 ? ' b' : '');
  }
  return out;
}

/**
 * memcached 1.6's meta commands (mg, ms, md, ma, mn, me) as a text protocol
 * extension, over the same use-cases as the classic commands, so values,
 * flags, expiry and cas are shared between both. Replies are byte for byte
 * memcached 1.6.18's (checked against /usr/bin/memcached); E and x follow
 * the later memcached releases that added them.
 */
export class MetaCommands implements AsciiExtension {
  private readonly meta: MetaUseCase;

  constructor(private readonly uc: UseCases) {
    this.meta = uc.meta;
  }

  handle(session: AsciiSession, t: Tokens): boolean | Promise<void> {
    if (t.length(0) !== 2 || t.byte(0) !== 0x6d) return false;
    let r: MaybePromise<void>;
    switch (t.byte(0, 1)) {
      case 0x67: // mg
        r = this.mg(session, t);
        break;
      case 0x73: // ms
        r = this.ms(session, t);
        break;
      case 0x64: // md
        r = this.md(session, t);
        break;
      case 0x61: // ma
        r = this.ma(session, t);
        break;
      case 0x6e: // mn
        session.reply('MN\r\n');
        // memcached flushes on mn, so a later failed multi-get cannot cull this MN or anything before it.
        session.writer.mark();
        return true;
      case 0x65: // me
        r = this.me(session, t);
        break;
      default:
        return false;
    }
    return isPromise(r) ? r : true;
  }

  /** Key checks shared by mg, md, ma: undefined when a reply was already sent. */
  private keyAndFlags(s: AsciiSession, t: Tokens, flagError: string | undefined, tooManyFlags: string): { key: string; f: MetaFlags } | undefined {
    if (t.count < 2) {
      s.reply(Reply.ERROR);
      return undefined;
    }
    if (t.length(1) > KEY_MAX_LENGTH) {
      s.reply(Reply.BAD_FORMAT);
      return undefined;
    }
    if (t.count >= META_MAX_TOKENS) {
      s.reply(tooManyFlags);
      return undefined;
    }
    const f = parseMetaFlags(t, 2);
    if (f.error !== undefined) {
      s.reply(flagError ?? (f.error === '' ? Reply.BAD_FORMAT : f.error + '\r\n'));
      return undefined;
    }
    const key = f.base64 ? decodeBase64Key(t.str(1)) : t.str(1);
    if (key === undefined) {
      s.reply(flagError ?? BAD_KEY_ENCODING);
      return undefined;
    }
    this.meta.activate();
    return { key, f };
  }

  // ---- mg ----------------------------------------------------------------

  private mg(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const p = this.keyAndFlags(s, t, undefined, MG_TOO_MANY_FLAGS);
    if (p === undefined) return;
    const { key, f } = p;
    const echo = echoOf(t, 2, f.base64);
    const vivifyExptime = f.vivify !== undefined && f.ttl !== undefined && ttlAfterVivify(echo) ? f.ttl : f.vivify;
    const recacheAfterTouch = f.ttl !== undefined && comesLater(echo, 0x52, 0x54);
    const r = this.meta.get(key, { touchExptime: f.ttl, vivifyExptime, recacheExptime: f.recache, recacheAfterTouch, newCas: f.newCas });
    return then(r, (hit) => this.mgReply(s, hit, f, echo));
  }

  private mgReply(s: AsciiSession, hit: MetaGetHit | undefined, f: MetaFlags, e: Echo): void {
    if (hit === undefined) {
      if (!f.quiet) s.reply('EN' + opaqueAndKey(e) + '\r\n');
      return;
    }
    const { item } = hit;
    let line = f.value ? 'VA ' + item.value.length : 'HD';
    // memcached applies T and N (N only to the item it created) flag by flag while writing
    // the reply, so t shows the TTL as of its own position; a created item starts immortal.
    let ttl = hit.created ? -1 : hit.ttlBefore;
    for (const flag of e.flags) {
      switch (flag.charCodeAt(0)) {
        case 0x54: // T
          ttl = this.meta.ttlFor(f.ttl!);
          break;
        case 0x4e: // N
          if (hit.created) ttl = this.meta.ttlFor(f.vivify!);
          break;
        case 0x73: // s
          line += ' s' + item.value.length;
          break;
        case 0x74: // t
          line += ' t' + ttl;
          break;
        case 0x63: // c
          line += ' c' + item.cas;
          break;
        case 0x66: // f
          line += ' f' + item.flags;
          break;
        case 0x6c: // l
          line += ' l' + hit.lastAccessSeconds;
          break;
        case 0x68: // h
          line += hit.hitBefore ? ' h1' : ' h0';
          break;
        case 0x4f: // O
          line += ' ' + flag;
          break;
        case 0x6b: // k
          // A hit echoes the item's key, encoded the way the item was stored, not as requested.
          line += hit.binaryKey ? ' k' + Buffer.from(item.key, 'latin1').toString('base64') + ' b' : ' k' + item.key;
          break;
      }
    }
    // memcached's order: Z, then X, then W.
    if (hit.tokenSent) line += ' Z';
    if (hit.stale) line += ' X';
    if (hit.won) line += ' W';
    s.reply(line + '\r\n');
    if (f.value) {
      s.writer.data(item.value);
      s.reply('\r\n');
    }
  }

  // ---- ms ----------------------------------------------------------------

  private ms(s: AsciiSession, t: Tokens): MaybePromise<void> {
    if (t.count < 2) return s.reply(Reply.ERROR);
    if (t.length(1) > KEY_MAX_LENGTH || t.count < 3) return s.reply(Reply.BAD_FORMAT);
    // 1.6.18 checks this before reading the length, and skips no data.
    if (t.count >= META_MAX_TOKENS) return s.reply(TOO_MANY_FLAGS);
    const vlen = tokenI32(t, 2);
    if (vlen === undefined || vlen < 0 || vlen > 0x7fff_fffd) return s.reply(Reply.BAD_FORMAT);
    const refuse = (text: string): void => {
      s.reply(text);
      s.swallowData(vlen + 2);
    };
    const f = parseMetaFlags(t, 3);
    if (f.error !== undefined) return refuse(f.error === '' ? Reply.BAD_FORMAT : f.error + '\r\n');
    let mode: StoreMode;
    switch (f.mode) {
      case undefined:
      case 0x53: // S
        mode = StoreMode.Set;
        break;
      case 0x45: // E
        mode = StoreMode.Add;
        break;
      case 0x41: // A
        mode = StoreMode.Append;
        break;
      case 0x50: // P
        mode = StoreMode.Prepend;
        break;
      case 0x52: // R
        mode = StoreMode.Replace;
        break;
      default:
        return refuse(MS_BAD_MODE);
    }
    const key = f.base64 ? decodeBase64Key(t.str(1)) : t.str(1);
    if (key === undefined) return refuse(BAD_KEY_ENCODING);
    this.meta.activate();
    const clientFlags = f.clientFlags ?? 0;
    const { storage } = this.uc;
    if (!storage.fits(key.length, vlen, clientFlags)) {
      refuse(Reply.TOO_LARGE);
      // memcached drops the old value whatever the mode, so stale data does not outlive a failed update.
      const r = storage.rejectTooLarge(StoreMode.Set, key);
      return isPromise(r) ? r.then(() => undefined) : undefined;
    }
    const echo = echoOf(t, 3, f.base64);
    s.expectData(vlen + 2, {
      data: (value) => {
        const receipt: StoreReceipt = { cas: 0 };
        const options = { compareCas: f.compareCas, invalidate: f.invalidate, newCas: f.newCas, vivifyExptime: f.vivify };
        const r = storage.storeWith(mode, key, clientFlags, f.ttl ?? 0, value, options, receipt);
        return then(r, (outcome) => {
          // Appending writes memcached a new item without the binary-key bit.
          if (outcome === 'stored' && f.base64 && mode !== StoreMode.Append && mode !== StoreMode.Prepend) {
            this.meta.storedWithBinaryKey(key, receipt.cas);
          }
          this.msReply(s, outcome, receipt, f, echo);
        });
      },
      badChunk: () => {
        storage.countRejectedSet();
        s.reply(Reply.BAD_CHUNK);
      },
    });
  }

  private msReply(s: AsciiSession, outcome: StoreOutcome, receipt: StoreReceipt, f: MetaFlags, e: Echo): void {
    let code: string;
    switch (outcome) {
      case 'stored':
        if (f.quiet) return;
        code = 'HD';
        break;
      case 'not-stored':
        code = 'NS';
        break;
      case 'exists':
        code = 'EX';
        break;
      case 'not-found':
        code = 'NF';
        break;
      case 'no-memory':
        return s.reply(Reply.NO_MEMORY);
    }
    let line = code;
    const cas = outcome === 'stored' ? receipt.cas : 0;
    for (const flag of e.flags) {
      const c = flag.charCodeAt(0);
      if (c === 0x4f) line += ' ' + flag;
      else if (c === 0x6b) line += ' k' + e.keyToken + (e.base64 ? ' b' : '');
      else if (c === 0x63) line += ' c' + cas;
    }
    s.reply(line + '\r\n');
  }

  // ---- md ----------------------------------------------------------------

  private md(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const p = this.keyAndFlags(s, t, INVALID_FLAG, TOO_MANY_FLAGS);
    if (p === undefined) return;
    const { key, f } = p;
    const echo = echoOf(t, 2, f.base64);
    const r = this.meta.delete(key, {
      compareCas: f.compareCas,
      invalidate: f.invalidate,
      invalidateExptime: f.ttl,
      removeValue: f.removeValue,
      newCas: f.newCas,
    });
    return then(r, (outcome) => this.mdReply(s, outcome, f, echo));
  }

  private mdReply(s: AsciiSession, outcome: DeleteOutcome, f: MetaFlags, e: Echo): void {
    if (outcome === 'deleted' && f.quiet) return;
    s.reply((outcome === 'deleted' ? 'HD' : outcome === 'exists' ? 'EX' : 'NF') + opaqueAndKey(e) + '\r\n');
  }

  // ---- ma ----------------------------------------------------------------

  private ma(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const p = this.keyAndFlags(s, t, INVALID_FLAG, TOO_MANY_FLAGS);
    if (p === undefined) return;
    const { key, f } = p;
    let incr: boolean;
    switch (f.mode) {
      case undefined:
      case 0x49: // I
      case 0x2b: // +
        incr = true;
        break;
      case 0x44: // D
      case 0x2d: // -
        incr = false;
        break;
      default:
        return s.reply(MA_BAD_MODE);
    }
    const echo = echoOf(t, 2, f.base64);
    const r = this.uc.arithmetic.applyWith(key, f.delta ?? 1n, incr, {
      compareCas: f.compareCas,
      vivifyExptime: f.vivify,
      initial: f.initial,
      newCas: f.newCas,
    });
    return then(r, (result) => this.maDone(s, key, result, f, echo));
  }

  private maDone(s: AsciiSession, key: string, r: MetaArithmeticResult, f: MetaFlags, e: Echo): MaybePromise<void> {
    switch (r.status) {
      case 'ok':
        break;
      case 'non-numeric':
        return s.reply(Reply.NON_NUMERIC);
      case 'no-memory':
        return s.reply(MA_NO_MEMORY);
      default:
        return s.reply((r.status === 'exists' ? 'EX' : r.status === 'not-stored' ? 'NS' : 'NF') + opaqueAndKey(e) + '\r\n');
    }
    // T on success sets the new TTL (memcached applies it while writing the reply), unless an N after it created the item.
    const retimed = f.ttl !== undefined && (!r.created || ttlAfterVivify(e)) ? this.meta.retime(key, f.ttl) : undefined;
    return then(retimed, () => {
      // memcached's q hides a nominal incr/decr, not the reply of an item N created.
      if (f.quiet && !r.created) return;
      const digits = r.value.toString();
      let line = f.value ? 'VA ' + digits.length : 'HD';
      let ttl = r.created ? -1 : this.meta.ttl(r.item.exptime);
      for (const flag of e.flags) {
        switch (flag.charCodeAt(0)) {
          case 0x54: // T
            ttl = this.meta.ttlFor(f.ttl!);
            break;
          case 0x4e: // N
            if (r.created) ttl = this.meta.ttlFor(f.vivify!);
            break;
          case 0x74: // t
            line += ' t' + ttl;
            break;
          case 0x63: // c
            line += ' c' + r.item.cas;
            break;
          case 0x4f: // O
            line += ' ' + flag;
            break;
          case 0x6b: // k
            line += ' k' + e.keyToken + (e.base64 ? ' b' : '');
            break;
        }
      }
      s.reply(f.value ? line + '\r\n' + digits + '\r\n' : line + '\r\n');
    });
  }

  // ---- me ----------------------------------------------------------------

  private me(s: AsciiSession, t: Tokens): MaybePromise<void> {
    if (t.count < 2 || t.length(1) > KEY_MAX_LENGTH) return s.reply(Reply.BAD_FORMAT);
    const key = t.str(1);
    return then(this.meta.debug(key), (d) => {
      if (d === undefined) return s.reply('EN\r\n');
      const { item } = d;
      s.reply(
        `ME ${key} exp=${d.ttl} la=${d.lastAccessSeconds} cas=${item.cas} fetch=${d.fetched ? 'yes' : 'no'} cls=1 size=${itemTotalSize(key.length, item.value.length, item.flags)}\r\n`,
      );
    });
  }
}
