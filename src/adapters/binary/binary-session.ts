import type { Socket } from 'node:net';
import type { CacheItem } from '../../domain/item.js';
import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH, itemTotalSize } from '../../domain/rules.js';
import type { ArithmeticFailure } from '../../application/arithmetic.js';
import type { StatPair } from '../../application/stats.js';
import { StoreMode, type StoreOutcome } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import { PipelinedSession, type SessionFlowControl } from '../protocol/pipelined-session.js';
import { ownedValue } from '../protocol/owned-value.js';
import { HEADER_LENGTH, MAX_SASL_MECH_LENGTH, NO_AUTO_CREATE, Op, REQUEST_MAGIC, Status, loudOpcode } from './binary-protocol.js';
import { errorBody, readCas, responseHeader } from './binary-replies.js';
import { SASL_MECHANISMS, verifyPlain, type Authenticate } from './sasl-plain.js';

/** Switches of the binary front end. */
export interface BinaryOptions extends SessionFlowControl {
  /** memcached's -S: every data command needs a successful SASL PLAIN authentication first. */
  saslEnabled: boolean;
  /** Checks a user's password (only called when `saslEnabled`). */
  authenticate: Authenticate;
}

const enum Mode {
  /** Waiting for a 24-byte header. */
  Header,
  /** Waiting for the extras and the key. */
  Body,
  /** Gathering the value of a storage or SASL command. */
  Value,
  /** Discarding the rest of a refused frame. */
  Swallow,
}

/** memcached's "Out of memory allocating item" (its out_of_memory() without the SERVER_ERROR prefix). */
const OOM_ITEM = Buffer.from('Out of memory allocating item', 'latin1');
const AUTHENTICATED = Buffer.from('Authenticated', 'latin1');
const MECHANISMS = Buffer.from(SASL_MECHANISMS, 'latin1');
/** Internal error (spec 0x84): a store failure has no memcached equivalent. */
const INTERNAL_ERROR = 0x84;
const INTERNAL_ERROR_TEXT = Buffer.from('Internal error', 'latin1');

/**
 * The memcached binary protocol on one connection: an incremental parser
 * over Buffers (header, then extras and key, then the value), one handler per
 * opcode, replies gathered per socket read and written once. A command whose
 * store access goes asynchronous (disk) blocks the pipeline, and pauses the
 * socket, until it completes, so replies stay in request order and unread
 * input stays in the kernel. A value is only buffered when it fits the item
 * size limit; larger ones are answered "Too large." and discarded as they
 * arrive, so a huge declared body never reaches memory.
 */
export class BinarySession extends PipelinedSession {
  private mode = Mode.Header;
  private authenticated = false;
  /** A PLAIN exchange was started with an empty initial response; SASL_STEP carries the credentials. */
  private saslAwaitingStep = false;

  // The frame being parsed.
  private opcode = 0;
  /** The loud equivalent of `opcode`. */
  private cmd = 0;
  private quiet = false;
  private keylen = 0;
  private extlen = 0;
  private bodylen = 0;
  private opaque = 0;
  private cas = 0;
  private key = '';
  private flags = 0;
  private exptime = 0;
  private need = 0;
  private got = 0;
  private parts: Buffer[] = [];

  constructor(
    socket: Socket,
    private readonly uc: UseCases,
    private readonly options: BinaryOptions,
  ) {
    super(socket, uc.context.stats, options.writeBackpressure);
  }

  override onClose(): void {
    super.onClose();
    this.parts = [];
  }

  /** Advances the parser by one stage; false when more input is needed. */
  protected step(): MaybePromise<void> | false {
    switch (this.mode) {
      case Mode.Header:
        if (this.available < HEADER_LENGTH) return false;
        return this.onHeader();
      case Mode.Body: {
        if (this.available < this.need) return false;
        const start = this.pos;
        this.pos += this.need;
        return this.onBody(this.buf!, start);
      }
      case Mode.Value:
        if (!this.collectValue()) return false;
        return this.onValue(this.takeValue());
      case Mode.Swallow: {
        const take = Math.min(this.available, this.need - this.got);
        this.pos += take;
        this.got += take;
        if (this.got < this.need) return false;
        this.mode = Mode.Header;
        return;
      }
    }
  }

  /** The store failed (disk): answer this command; the text is fixed so nothing internal leaks. */
  protected failed(): void {
    this.writer.data(responseHeader(this.opcode, INTERNAL_ERROR, 0, 0, INTERNAL_ERROR_TEXT.length, this.opaque, 0));
    this.writer.data(INTERNAL_ERROR_TEXT);
  }

  // ---- framing -----------------------------------------------------------------

  /**
   * Validates a header in memcached's dispatch order (proto_bin.c): magic,
   * lengths, authentication, key length, then the opcode's own shape.
   */
  private onHeader(): MaybePromise<void> {
    const b = this.buf!;
    const p = this.pos;
    this.pos += HEADER_LENGTH;
    this.opcode = b[p + 1]!;
    this.keylen = b.readUInt16BE(p + 2);
    this.extlen = b[p + 4]!;
    this.bodylen = b.readUInt32BE(p + 8);
    this.opaque = b.readUInt32BE(p + 12);
    this.cas = readCas(b, p + 16);
    if (b[p] !== REQUEST_MAGIC) {
      // memcached closes without a word: nothing after this can be framed. The replies it
      // still owes this read's earlier frames are dropped, back to the last one that
      // flushed (an error reply or a Noop, see error()).
      this.writer.discard();
      this.close();
      return;
    }
    const { keylen, extlen, bodylen } = this;
    if (keylen + extlen > bodylen) return this.fatal(Status.UnknownCommand);
    const op = this.opcode;
    if (this.options.saslEnabled && !this.authenticated && !isAuthExempt(op)) return this.fatal(Status.AuthError);
    if (keylen > KEY_MAX_LENGTH) return this.fatal(Status.InvalidArguments);
    const loud = loudOpcode(op);
    this.quiet = loud !== undefined;
    const cmd = loud ?? op;
    this.cmd = cmd;
    const shape = checkShape(cmd, keylen, extlen, bodylen);
    if (shape === Shape.Invalid) return this.fatal(Status.InvalidArguments);
    if (shape === Shape.Unknown || (isSasl(cmd) && !this.options.saslEnabled)) {
      // The whole frame is skipped so the stream stays in step (see docs/binary-protocol.md).
      this.error(Status.UnknownCommand);
      return this.swallow(bodylen);
    }
    this.mode = Mode.Body;
    this.need = extlen + keylen;
  }

  /** Extras and key are in `b` at `start`; runs the command or starts reading its value. */
  private onBody(b: Buffer, start: number): MaybePromise<void> {
    this.mode = Mode.Header;
    const keyStart = start + this.extlen;
    const key = b.toString('latin1', keyStart, keyStart + this.keylen);
    this.key = key;
    const vlen = this.bodylen - this.keylen - this.extlen;
    switch (this.cmd) {
      case Op.Get:
      case Op.GetK:
        return this.get(key);
      case Op.Touch:
      case Op.GAT:
      case Op.GATK:
        return this.touchOrGat(key, b.readUInt32BE(start));
      case Op.Set:
      case Op.Add:
      case Op.Replace:
        this.flags = b.readUInt32BE(start);
        this.exptime = b.readUInt32BE(start + 4);
        if (!this.uc.storage.fits(key.length, vlen, this.flags)) return this.tooLarge(key, vlen);
        return this.readValue(vlen);
      case Op.Append:
      case Op.Prepend:
        if (!this.uc.storage.fits(key.length, vlen, 0)) return this.tooLarge(key, vlen);
        return this.readValue(vlen);
      case Op.Delete:
        return this.delete(key);
      case Op.Increment:
      case Op.Decrement:
        return this.arithmetic(key, b.readBigUInt64BE(start), b.readBigUInt64BE(start + 8), b.readUInt32BE(start + 16));
      case Op.Flush:
        return this.flushAll(this.extlen === 4 ? b.readUInt32BE(start) : 0);
      case Op.Noop:
        this.ok();
        // "NOOP forces pipeline flush" (memcached): see error().
        return this.writer.mark();
      case Op.Version:
        return this.ok(0, Buffer.from(this.uc.admin.version(), 'latin1'));
      case Op.Quit:
        if (!this.quiet) this.ok();
        return this.close();
      case Op.Stat:
        return this.stat(key);
      case Op.SaslListMechs:
        return this.ok(0, MECHANISMS);
      case Op.SaslAuth:
      case Op.SaslStep:
        if (this.keylen > MAX_SASL_MECH_LENGTH) {
          this.error(Status.InvalidArguments);
          return this.swallow(vlen);
        }
        if (!this.uc.storage.fits(key.length, vlen, 0)) {
          this.error(Status.OutOfMemory);
          return this.swallow(vlen);
        }
        return this.readValue(vlen);
    }
  }

  private readValue(vlen: number): void {
    this.mode = Mode.Value;
    this.need = vlen;
    this.got = 0;
    this.parts.length = 0;
  }

  /** Gathers the value; true once all `need` bytes are here. */
  private collectValue(): boolean {
    const avail = this.available;
    const want = this.need - this.got;
    if (this.got === 0 && avail >= want) return true;
    const take = avail < want ? avail : want;
    // Network chunks are fresh Buffers, never reused, so keeping views is safe.
    if (take > 0) this.parts.push(this.buf!.subarray(this.pos, this.pos + take));
    this.got += take;
    this.pos += take;
    return this.got === this.need;
  }

  /** The gathered value as a Buffer of its own (the store keeps it). */
  private takeValue(): Buffer {
    this.mode = Mode.Header;
    const need = this.need;
    if (this.got === 0) {
      const start = this.pos;
      this.pos += need;
      return ownedValue([this.buf!.subarray(start, start + need)], need);
    }
    const value = ownedValue(this.parts, need);
    this.parts.length = 0;
    return value;
  }

  private onValue(value: Buffer): MaybePromise<void> {
    switch (this.cmd) {
      case Op.SaslAuth:
      case Op.SaslStep:
        return this.sasl(value);
      default:
        return this.store(value);
    }
  }

  private swallow(n: number): void {
    this.mode = Mode.Swallow;
    this.need = n;
    this.got = 0;
  }

  /** A value over the item size limit: "Too large.", and a refused set drops the old value as memcached does. */
  private tooLarge(key: string, vlen: number): MaybePromise<void> {
    this.error(Status.TooLarge);
    this.swallow(vlen);
    const r = this.uc.storage.rejectTooLarge(this.cmd === Op.Set ? StoreMode.Set : StoreMode.Add, key);
    return isPromise(r) ? r.then(noop) : undefined;
  }

  // ---- replies -----------------------------------------------------------------

  /** A success reply (unless quiet) with an optional body and cas. */
  private ok(cas = 0, body?: Buffer, opcode = this.opcode, opaque = this.opaque, quiet = this.quiet): void {
    if (quiet) return;
    const len = body === undefined ? 0 : body.length;
    this.writer.data(responseHeader(opcode, Status.Ok, 0, 0, len, opaque, cas));
    if (body !== undefined) this.writer.data(body);
  }

  /** An error reply with memcached's text; errors are sent even for quiet commands. */
  private error(status: Status, opcode = this.opcode, opaque = this.opaque, body = errorBody(status)): void {
    this.writer.data(responseHeader(opcode, status, 0, 0, body.length, opaque, 0));
    this.writer.data(body);
    // memcached's write_bin_error flushes, so a bad magic byte later in the read cannot drop this.
    this.writer.mark();
  }

  /** An error after which nothing can be trusted: reply, then close. */
  private fatal(status: Status): void {
    this.error(status);
    this.close();
  }

  // ---- commands ------------------------------------------------------------------

  private get(key: string): MaybePromise<void> {
    const r = this.uc.retrieval.get(key);
    if (!isPromise(r)) return this.item(key, r, this.cmd, this.opcode, this.opaque, this.quiet);
    const { cmd, opcode, opaque, quiet } = this;
    return r.then((item) => this.item(key, item, cmd, opcode, opaque, quiet));
  }

  private touchOrGat(key: string, exptime: number): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet } = this;
    if (cmd !== Op.Touch) {
      return then(this.uc.retrieval.getAndTouch(key, exptime), (item) => this.item(key, item, cmd, opcode, opaque, quiet));
    }
    // Touch answers with the touched item's flags and cas, read before touching: an exptime in
    // the past makes it gone at once, and memcached still answers with it. The touch use-case
    // keeps the counters right.
    return then(this.uc.context.store.get(key), (before) =>
      then(this.uc.touch.touch(key, exptime), (hit) => this.item(key, hit ? (before ?? TOUCHED_GONE) : undefined, cmd, opcode, opaque, quiet)),
    );
  }

  /** The reply of the get family and touch for one item or a miss. */
  private item(key: string, item: CacheItem | undefined, cmd: number, opcode: number, opaque: number, quiet: boolean): void {
    const withKey = cmd === Op.GetK || cmd === Op.GATK;
    const w = this.writer;
    if (item === undefined) {
      if (quiet) return;
      if (!withKey) return this.error(Status.KeyNotFound, opcode, opaque);
      w.data(responseHeader(opcode, Status.KeyNotFound, key.length, 0, key.length, opaque, 0));
      w.data(Buffer.from(key, 'latin1'));
      return;
    }
    const keylen = withKey ? key.length : 0;
    const vlen = cmd === Op.Touch ? 0 : item.value.length;
    const h = responseHeader(opcode, Status.Ok, keylen, 4, 4 + keylen + vlen, opaque, item.cas);
    h.writeUInt32BE(item.flags, HEADER_LENGTH);
    w.data(h);
    if (withKey) w.data(Buffer.from(key, 'latin1'));
    if (vlen > 0) w.data(item.value);
  }

  private store(value: Buffer): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet, key, cas } = this;
    let mode: StoreMode;
    switch (cmd) {
      case Op.Add:
        mode = StoreMode.Add;
        break;
      case Op.Replace:
        mode = StoreMode.Replace;
        break;
      case Op.Append:
        mode = StoreMode.Append;
        break;
      case Op.Prepend:
        mode = StoreMode.Prepend;
        break;
      default:
        mode = StoreMode.Set;
    }
    const isConcat = mode === StoreMode.Append || mode === StoreMode.Prepend;
    // A cas turns set/add/replace into a compare-and-swap (memcached's NREAD_CAS).
    if (cas !== 0 && !isConcat) mode = StoreMode.Cas;
    const flags = isConcat ? 0 : this.flags;
    const exptime = isConcat ? 0 : this.exptime;
    const run = (): MaybePromise<void> => {
      const seq = this.uc.context.cas;
      const before = seq.current;
      const r = this.uc.storage.store(mode, key, flags, exptime, value, cas);
      const assigned = seq.current !== before ? seq.current : 0;
      return then(r, (outcome) => this.stored(outcome, cmd, opcode, opaque, quiet, key, assigned));
    };
    if (cas === 0 || !isConcat) return run();
    // append/prepend honour a cas too: a changed item is "exists", a missing one is "not stored".
    return then(this.uc.context.store.get(key), (old) => {
      if (old !== undefined && old.cas !== cas) return this.error(Status.KeyExists, opcode, opaque);
      return run();
    });
  }

  /** memcached's complete_update_bin: each outcome's status depends on the command. */
  private stored(outcome: StoreOutcome, cmd: number, opcode: number, opaque: number, quiet: boolean, key: string, assignedCas: number): MaybePromise<void> {
    switch (outcome) {
      case 'stored':
        return then(this.casOf(key, assignedCas), (c) => this.ok(c, undefined, opcode, opaque, quiet));
      case 'exists':
        return this.error(Status.KeyExists, opcode, opaque);
      case 'not-found':
        return this.error(Status.KeyNotFound, opcode, opaque);
      case 'no-memory':
        return this.error(Status.OutOfMemory, opcode, opaque, OOM_ITEM);
      case 'not-stored':
        return this.error(cmd === Op.Add ? Status.KeyExists : cmd === Op.Replace ? Status.KeyNotFound : Status.NotStored, opcode, opaque);
    }
  }

  /**
   * The cas a write just gave `key`. The use-cases take it from the shared
   * sequence; when that happened synchronously we saw it happen, otherwise
   * (a disk read came first) the item is read back.
   */
  private casOf(key: string, assigned: number): MaybePromise<number> {
    if (assigned !== 0) return assigned;
    return then(this.uc.context.store.get(key), (item) => item?.cas ?? 0);
  }

  private delete(key: string): MaybePromise<void> {
    const { opcode, opaque, quiet, cas } = this;
    const del = (): MaybePromise<void> =>
      then(this.uc.deletion.delete(key), (hit) => (hit ? this.ok(0, undefined, opcode, opaque, quiet) : this.error(Status.KeyNotFound, opcode, opaque)));
    if (cas === 0) return del();
    return then(this.uc.context.store.get(key), (old) => (old !== undefined && old.cas !== cas ? this.error(Status.KeyExists, opcode, opaque) : del()));
  }

  private arithmetic(key: string, delta: bigint, initial: bigint, expiration: number): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet, cas } = this;
    const incr = cmd === Op.Increment;
    const apply = (): MaybePromise<void> => {
      const seq = this.uc.context.cas;
      const before = seq.current;
      const r = this.uc.arithmetic.apply(key, delta, incr);
      const assigned = seq.current !== before ? seq.current : 0;
      return then(r, (result) => this.counted(result, key, initial, expiration, assigned, opcode, opaque, quiet));
    };
    if (cas === 0) return apply();
    return then(this.uc.context.store.get(key), (old) => {
      if (old === undefined || old.cas === cas) return apply();
      // memcached's do_add_delta refuses empty and chunked values before it compares the cas.
      if (old.value.length === 0 || itemTotalSize(key.length, old.value.length, old.flags) > SLAB_CHUNK_MAX) {
        return this.error(Status.NonNumeric, opcode, opaque);
      }
      return this.error(Status.KeyExists, opcode, opaque);
    });
  }

  private counted(
    result: bigint | ArithmeticFailure,
    key: string,
    initial: bigint,
    expiration: number,
    assigned: number,
    opcode: number,
    opaque: number,
    quiet: boolean,
  ): MaybePromise<void> {
    if (result === 'non-numeric') return this.error(Status.NonNumeric, opcode, opaque);
    if (result !== 'not-found') return then(this.casOf(key, assigned), (c) => this.ok(c, counterBody(result), opcode, opaque, quiet));
    if (expiration === NO_AUTO_CREATE) return this.error(Status.KeyNotFound, opcode, opaque);
    // A missing counter is created with the initial value (flags 0), as an add.
    const seq = this.uc.context.cas;
    const before = seq.current;
    const r = this.uc.storage.store(StoreMode.Add, key, 0, expiration, Buffer.from(initial.toString(), 'latin1'), 0);
    const created = seq.current !== before ? seq.current : 0;
    return then(r, (outcome): MaybePromise<void> => {
      if (outcome === 'stored') return then(this.casOf(key, created), (c) => this.ok(c, counterBody(initial), opcode, opaque, quiet));
      if (outcome === 'no-memory') return this.error(Status.OutOfMemory, opcode, opaque, OOM_ITEM);
      return this.error(Status.NotStored, opcode, opaque);
    });
  }

  private flushAll(exptime: number): MaybePromise<void> {
    const { opcode, opaque, quiet } = this;
    return then(this.uc.flush.flushAll(exptime), () => this.ok(0, undefined, opcode, opaque, quiet));
  }

  /** Stat groups as memcached's process_bin_stat matches them (prefix match for reset/settings/detail). */
  private stat(group: string): void {
    const s = this.uc.stats;
    if (group.length === 0) return this.statPackets(s.general());
    if (group.startsWith('reset')) {
      s.reset();
      return this.statPackets([]);
    }
    if (group.startsWith('settings')) return this.statPackets(s.settings());
    if (group.startsWith('detail')) {
      const sub = group.slice(6);
      if (sub.startsWith(' dump')) {
        const lines = s.detail('dump') as string[];
        return this.statPackets([['detailed', lines.map((l) => l + '\r\n').join('') + 'END\r\n']]);
      }
      if (sub.startsWith(' on')) {
        s.detail('on');
        return this.statPackets([]);
      }
      if (sub.startsWith(' off')) {
        s.detail('off');
        return this.statPackets([]);
      }
      return this.error(Status.KeyNotFound);
    }
    if (group === 'items') return this.statPackets(s.items());
    if (group === 'slabs') return this.statPackets(s.slabs());
    if (group === 'sizes') return this.statPackets([['sizes_status', 'disabled']]);
    this.error(Status.KeyNotFound);
  }

  /** One packet per stat (key = name, value = text), then an empty packet ends the list. */
  private statPackets(pairs: readonly StatPair[]): void {
    const { opcode, opaque } = this;
    let size = HEADER_LENGTH;
    const encoded: [Buffer, Buffer][] = [];
    for (const [name, value] of pairs) {
      const k = Buffer.from(name, 'latin1');
      const v = Buffer.from(String(value), 'latin1');
      encoded.push([k, v]);
      size += HEADER_LENGTH + k.length + v.length;
    }
    const out = Buffer.allocUnsafe(size);
    let off = 0;
    for (const [k, v] of encoded) {
      off += responseHeader(opcode, Status.Ok, k.length, 0, k.length + v.length, opaque, 0).copy(out, off);
      off += k.copy(out, off);
      off += v.copy(out, off);
    }
    responseHeader(opcode, Status.Ok, 0, 0, 0, opaque, 0).copy(out, off);
    this.writer.data(out);
  }

  /**
   * SASL PLAIN (memcached via Cyrus SASL): every attempt first drops the
   * connection's authentication; an empty initial response is answered "auth
   * continue" and the credentials come with SASL_STEP. Credentials are never
   * logged or kept.
   */
  private sasl(data: Buffer): void {
    const { stats } = this.uc.context;
    this.authenticated = false;
    let verdict: boolean;
    if (this.cmd === Op.SaslAuth) {
      this.saslAwaitingStep = false;
      if (this.key.toUpperCase() !== SASL_MECHANISMS) {
        verdict = false;
      } else if (data.length === 0) {
        this.saslAwaitingStep = true;
        this.writer.data(responseHeader(this.opcode, Status.AuthContinue, 0, 0, 0, this.opaque, 0));
        return;
      } else {
        verdict = verifyPlain(data, this.options.authenticate);
      }
    } else {
      verdict = this.saslAwaitingStep && verifyPlain(data, this.options.authenticate);
      this.saslAwaitingStep = false;
    }
    data.fill(0); // the password does not linger in a buffer we own
    stats.auth_cmds++;
    if (verdict) {
      this.authenticated = true;
      return this.ok(0, AUTHENTICATED);
    }
    stats.auth_errors++;
    this.error(Status.AuthError);
  }
}

/** Stands in for an item touched successfully but gone before it could be read back. */
/** memcached's slab_chunk_max (half its 1 MiB slab page): larger items are chunked. */
const SLAB_CHUNK_MAX = 512 * 1024;

const TOUCHED_GONE: CacheItem = { key: '', value: Buffer.alloc(0), flags: 0, exptime: 0, cas: 0 };

const enum Shape {
  Ok,
  Invalid,
  Unknown,
}

/**
 * The lengths each opcode accepts, from memcached's dispatch_bin_command.
 * Stat and touch/GAT also insist that the body holds nothing beyond extras and
 * key: memcached would read the excess as the next header.
 */
function checkShape(cmd: number, keylen: number, extlen: number, bodylen: number): Shape {
  switch (cmd) {
    case Op.Version:
    case Op.Noop:
    case Op.Quit:
    case Op.SaslListMechs:
      return ok(extlen === 0 && keylen === 0 && bodylen === 0);
    case Op.Flush:
      return ok(keylen === 0 && bodylen === extlen && (extlen === 0 || extlen === 4));
    case Op.Set:
    case Op.Add:
    case Op.Replace:
      return ok(extlen === 8 && keylen !== 0 && bodylen >= keylen + 8);
    case Op.Get:
    case Op.GetK:
    case Op.Delete:
      return ok(extlen === 0 && keylen > 0 && bodylen === keylen);
    case Op.Increment:
    case Op.Decrement:
      return ok(keylen > 0 && extlen === 20 && bodylen === keylen + 20);
    case Op.Append:
    case Op.Prepend:
      return ok(keylen > 0 && extlen === 0);
    case Op.Stat:
      return ok(extlen === 0 && bodylen === keylen);
    case Op.SaslAuth:
    case Op.SaslStep:
      return ok(extlen === 0 && keylen !== 0);
    case Op.Touch:
    case Op.GAT:
    case Op.GATK:
      return ok(extlen === 4 && keylen !== 0 && bodylen === keylen + 4);
    default:
      return Shape.Unknown;
  }
}

function ok(valid: boolean): Shape {
  return valid ? Shape.Ok : Shape.Invalid;
}

/** Commands memcached answers before authentication. */
function isAuthExempt(op: number): boolean {
  return op === Op.SaslListMechs || op === Op.SaslAuth || op === Op.SaslStep || op === Op.Version;
}

function isSasl(cmd: number): boolean {
  return cmd === Op.SaslListMechs || cmd === Op.SaslAuth || cmd === Op.SaslStep;
}

/** Incr/decr's 8-byte big-endian result. */
function counterBody(value: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(value);
  return b;
}

function noop(): void {}
