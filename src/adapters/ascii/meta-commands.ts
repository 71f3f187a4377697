import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH, itemTotalSize } from '../../domain/rules.js';
import type { MetaArithmeticResult } from '../../application/arithmetic.js';
import type { MetaUseCase, MetaGetHit } from '../../application/meta.js';
import { StoreMode, type StoreReceipt } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import type { Tokens } from '../protocol/tokenizer.js';
import { tokenI32 } from '../protocol/tokenizer.js';
import { Reply } from './ascii-replies.js';
import { CommandTable } from './command-table.js';
import type { AsciiExtension, AsciiSession } from './ascii-session.js';
import { Flag, META_MAX_TOKENS, MetaVerb, has, parseMetaFlags, type MetaFlags } from './meta-flags.js';
import {
  MetaError,
  appliedBeforeOpaque,
  comesLater,
  echoOf,
  echoes,
  flagErrorLine,
  maFailureLine,
  maValueReply,
  mdLine,
  mgHitLine,
  msLine,
  opaqueAndKey,
  ttlAfterVivify,
  type Echo,
} from './meta-replies.js';

const T = 0x54;
const N = 0x4e;
const R = 0x52;

/**
 * memcached 1.6's meta commands (mg, ms, md, ma, mn, me) as a text protocol
 * extension, over the same use-cases as the classic commands, so values,
 * flags, expiry and cas are shared between both. Replies, and the order in
 * which several faults of one line are reported, are memcached 1.6.18's
 * (checked against /usr/bin/memcached); E and md x follow the later
 * memcached releases that added them.
 */
export class MetaCommands implements AsciiExtension {
  /** The meta commands by name. */
  private static readonly VERBS = new CommandTable<(m: MetaCommands, s: AsciiSession, t: Tokens) => MaybePromise<void>>([
    ['mg', (m, s, t) => m.mg(s, t)],
    ['ms', (m, s, t) => m.ms(s, t)],
    ['md', (m, s, t) => m.md(s, t)],
    ['ma', (m, s, t) => m.ma(s, t)],
    ['mn', (m, s) => m.mn(s)],
    ['me', (m, s, t) => m.me(s, t)],
  ]);

  private readonly meta: MetaUseCase;
  private readonly ttlFor = (exptime: number): number => this.meta.ttlFor(exptime);
  private readonly ttlOf = (expiry: number): number => this.meta.ttl(expiry);

  constructor(private readonly uc: UseCases) {
    this.meta = uc.meta;
  }

  handle(session: AsciiSession, t: Tokens): boolean | Promise<void> {
    if (t.length(0) !== 2) return false;
    const run = MetaCommands.VERBS.find(t);
    if (run === undefined) return false;
    const r = run(this, session, t);
    return isPromise(r) ? r : true;
  }

  private mn(s: AsciiSession): void {
    s.reply('MN\r\n');
    // memcached flushes on mn, so a later failed multi-get cannot cull this MN or anything before it.
    s.writer.mark();
  }

  /**
   * The checks mg, md and ma share, in memcached's order: token count, key
   * length, too many flags, then the flags. Undefined when a reply was sent.
   */
  private flagsOf(s: AsciiSession, t: Tokens, verb: MetaVerb): MetaFlags | undefined {
    if (t.count < 2) {
      s.reply(Reply.ERROR);
      return undefined;
    }
    if (t.length(1) > KEY_MAX_LENGTH) {
      s.reply(Reply.BAD_FORMAT);
      return undefined;
    }
    if (t.count >= META_MAX_TOKENS) {
      s.reply(verb === MetaVerb.Get ? MetaError.MG_TOO_MANY_FLAGS : MetaError.TOO_MANY_FLAGS);
      return undefined;
    }
    const f = parseMetaFlags(t, 2, verb);
    if (f.error !== undefined) {
      // md and ma do not pass the parser's message on.
      s.reply(verb === MetaVerb.Get ? flagErrorLine(f) : MetaError.INVALID_FLAG);
      return undefined;
    }
    this.meta.activate();
    return f;
  }

  // ---- mg ----------------------------------------------------------------

  private mg(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const f = this.flagsOf(s, t, MetaVerb.Get);
    if (f === undefined) return;
    const echo = echoOf(t, 2, f);
    // memcached meets an over-long opaque only while writing the reply: the lookup (and N's
    // creation) has happened, the T and N before it are applied, nothing after it is.
    const failing = f.longOpaque >= 0;
    const applied = appliedBeforeOpaque(echo, f);
    const r = this.meta.get(f.key, {
      touchExptime: echoes(applied, T) ? f.ttl : undefined,
      vivifyExptime: f.vivify === undefined ? undefined : ttlAfterVivify(applied) ? f.ttl : echoes(applied, N) ? f.vivify : 0,
      recacheExptime: f.recache,
      recacheAfterTouch: f.ttl !== undefined && comesLater(echo, R, T),
      newCas: f.newCas,
      // A locked lookup is bumped only once the reply is written.
      noBump: has(f, Flag.NoUpdate) || (failing && f.locked),
      noWin: failing,
    });
    return then(r, (hit) => (failing ? s.reply(MetaError.OPAQUE_TOO_LONG) : this.mgReply(s, hit, f, echo)));
  }

  private mgReply(s: AsciiSession, hit: MetaGetHit | undefined, f: MetaFlags, e: Echo): void {
    if (hit === undefined) {
      if (!has(f, Flag.Quiet)) s.reply('EN' + opaqueAndKey(e) + '\r\n');
      return;
    }
    s.reply(mgHitLine(hit, f, e, this.ttlFor) + '\r\n');
    if (has(f, Flag.Value)) {
      s.writer.data(hit.item.value);
      s.reply('\r\n');
    }
  }

  // ---- ms ----------------------------------------------------------------

  private ms(s: AsciiSession, t: Tokens): MaybePromise<void> {
    if (t.count < 2) return s.reply(Reply.ERROR);
    if (t.length(1) > KEY_MAX_LENGTH || t.count < 3) return s.reply(Reply.BAD_FORMAT);
    // 1.6.18 checks this before reading the length, and skips no data.
    if (t.count >= META_MAX_TOKENS) return s.reply(MetaError.TOO_MANY_FLAGS);
    const vlen = tokenI32(t, 2);
    if (vlen === undefined || vlen < 0 || vlen > 0x7fff_fffd) return s.reply(Reply.BAD_FORMAT);
    const refuse = (text: string): void => {
      s.reply(text);
      s.swallowData(vlen + 2);
    };
    // memcached's order: the flags, then the mode, then an over-long opaque, then the size.
    const f = parseMetaFlags(t, 3, MetaVerb.Set);
    if (f.error !== undefined) return refuse(flagErrorLine(f));
    const mode = msMode(f.mode);
    if (mode === undefined) return refuse(MetaError.MS_BAD_MODE);
    if (f.longOpaque >= 0) return refuse(MetaError.OPAQUE_TOO_LONG);
    const { key } = f;
    this.meta.activate();
    const clientFlags = f.clientFlags ?? 0;
    const { storage } = this.uc;
    if (!storage.fits(key.length, vlen, clientFlags)) {
      refuse(Reply.TOO_LARGE);
      // memcached drops the old value whatever the mode, so stale data does not outlive a failed update.
      const r = storage.rejectTooLarge(StoreMode.Set, key);
      return isPromise(r) ? r.then(() => undefined) : undefined;
    }
    const echo = echoOf(t, 3, f);
    s.expectData(vlen + 2, {
      data: (value) => {
        const receipt: StoreReceipt = { cas: 0 };
        const options = { compareCas: f.compareCas, invalidate: has(f, Flag.Invalidate), newCas: f.newCas, vivifyExptime: f.vivify };
        const r = storage.storeWith(mode, key, clientFlags, f.ttl ?? 0, value, options, receipt);
        return then(r, (outcome) => {
          // Appending writes memcached a new item without the binary-key bit.
          if (outcome === 'stored' && has(f, Flag.Base64) && mode !== StoreMode.Append && mode !== StoreMode.Prepend) {
            this.meta.storedWithBinaryKey(key, receipt.cas);
          }
          const line = msLine(outcome, receipt.cas, f, echo);
          if (line !== undefined) s.reply(line);
        });
      },
      badChunk: () => {
        storage.countRejectedSet();
        s.reply(Reply.BAD_CHUNK);
      },
    });
  }

  // ---- md ----------------------------------------------------------------

  private md(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const f = this.flagsOf(s, t, MetaVerb.Delete);
    if (f === undefined) return;
    // md checks the opaque before it looks the item up.
    if (f.longOpaque >= 0) return s.reply(MetaError.OPAQUE_TOO_LONG);
    const echo = echoOf(t, 2, f);
    const r = this.meta.delete(f.key, {
      compareCas: f.compareCas,
      invalidate: has(f, Flag.Invalidate),
      invalidateExptime: f.ttl,
      removeValue: has(f, Flag.RemoveValue),
      newCas: f.newCas,
    });
    return then(r, (outcome) => {
      const line = mdLine(outcome, f, echo);
      if (line !== undefined) s.reply(line);
    });
  }

  // ---- ma ----------------------------------------------------------------

  private ma(s: AsciiSession, t: Tokens): MaybePromise<void> {
    const f = this.flagsOf(s, t, MetaVerb.Arithmetic);
    if (f === undefined) return;
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
        return s.reply(MetaError.MA_BAD_MODE);
    }
    const echo = echoOf(t, 2, f);
    // As mg: an over-long opaque is found after the arithmetic, with the T and N before it applied.
    const applied = appliedBeforeOpaque(echo, f);
    const r = this.uc.arithmetic.applyWith(f.key, f.delta ?? 1n, incr, {
      compareCas: f.compareCas,
      // memcached creates the item immortal and gives it N's TTL while writing the reply.
      vivifyExptime: f.vivify === undefined ? undefined : echoes(applied, N) ? f.vivify : 0,
      initial: f.initial,
      newCas: f.newCas,
    });
    return then(r, (result) => this.maDone(s, result, f, echo, applied));
  }

  private maDone(s: AsciiSession, r: MetaArithmeticResult, f: MetaFlags, e: Echo, applied: Echo): MaybePromise<void> {
    const failing = f.longOpaque >= 0;
    if (r.status !== 'ok') {
      if (failing && r.status !== 'non-numeric' && r.status !== 'no-memory') return s.reply(MetaError.OPAQUE_TOO_LONG);
      return s.reply(maFailureLine(r, e));
    }
    // T on success sets the new TTL (memcached applies it while writing the reply), unless an N after it created the item.
    const retime = echoes(applied, T) && (!r.created || ttlAfterVivify(applied));
    const retimed = retime ? this.meta.retime(f.key, f.ttl!) : undefined;
    return then(retimed, () => {
      if (failing) return s.reply(MetaError.OPAQUE_TOO_LONG);
      // memcached's q hides a nominal incr/decr, not the reply of an item N created.
      if (has(f, Flag.Quiet) && !r.created) return;
      s.reply(maValueReply(r, f, e, this.ttlOf, this.ttlFor));
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
        `ME ${key} exp=${d.ttl} la=${d.lastAccessSeconds} cas=${item.cas} fetch=${d.fetched ? 'yes' : 'no'} cls=${d.sizeClass} size=${itemTotalSize(key.length, item.value.length, item.flags)}\r\n`,
      );
    });
  }
}

/** ms's M token; undefined for a mode memcached refuses. */
function msMode(mode: number | undefined): StoreMode | undefined {
  switch (mode) {
    case undefined:
    case 0x53: // S
      return StoreMode.Set;
    case 0x45: // E
      return StoreMode.Add;
    case 0x41: // A
      return StoreMode.Append;
    case 0x50: // P
      return StoreMode.Prepend;
    case 0x52: // R
      return StoreMode.Replace;
    default:
      return undefined;
  }
}
