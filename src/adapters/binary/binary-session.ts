import type { Socket } from 'node:net';
import type { CacheItem } from '../../domain/item.js';
import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH } from '../../domain/rules.js';
import type { ArithmeticOptions, MetaArithmeticResult } from '../../application/arithmetic.js';
import type { DeleteOptions } from '../../application/deletion.js';
import { StoreMode, type StoreOptions, type StoreOutcome, type StoreReceipt } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import { PipelinedSession, type SessionFlowControl } from '../protocol/pipelined-session.js';
import { ownedValue } from '../protocol/owned-value.js';
import { Shape, checkShape, isAuthExempt, isSasl, statRequest } from './binary-frame-rules.js';
import { HEADER_LENGTH, MAX_SASL_MECH_LENGTH, NO_AUTO_CREATE, Op, REQUEST_MAGIC, Status, loudOpcode } from './binary-protocol.js';
import { counterBody, errorBody, readCas, responseHeader, statPackets } from './binary-replies.js';
import { SASL_MECHANISMS, type Authenticate } from './sasl-plain.js';
import { SaslExchange } from './sasl-exchange.js';

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
  private readonly sasl: SaslExchange;
  /** The cas a storage command wrote; one per session, as commands run one at a time. */
  private readonly receipt: StoreReceipt = { cas: 0 };

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
    super(socket, uc.counters, options.writeBackpressure);
    this.sasl = new SaslExchange(options.authenticate);
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
    if (this.options.saslEnabled && !this.sasl.authenticated && !isAuthExempt(op)) return this.fatal(Status.AuthError);
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
    // Views are safe to keep: this session does not parse borrowed input, so PipelinedSession
    // hands it a copy of every socket chunk (the shared read buffer is never seen here).
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
        return this.authenticate(value);
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
    // Touch answers with the touched item's flags and cas (not its value), even when the new exptime expired it.
    const r = cmd === Op.Touch ? this.uc.touch.touchItem(key, exptime) : this.uc.retrieval.getAndTouch(key, exptime);
    return then(r, (item) => this.item(key, item, cmd, opcode, opaque, quiet));
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
    const isConcat = cmd === Op.Append || cmd === Op.Prepend;
    // A cas turns set/add/replace into a compare-and-swap (memcached's NREAD_CAS); append/prepend compare it themselves.
    const mode = cas !== 0 && !isConcat ? StoreMode.Cas : storeModeOf(cmd);
    const options: StoreOptions = cas === 0 ? NO_STORE_OPTIONS : { compareCas: cas };
    const r = this.uc.storage.storeWith(mode, key, isConcat ? 0 : this.flags, isConcat ? 0 : this.exptime, value, options, this.receipt);
    if (!isPromise(r)) return this.stored(r, cmd, opcode, opaque, quiet);
    return r.then((outcome) => this.stored(outcome, cmd, opcode, opaque, quiet));
  }

  /** memcached's complete_update_bin: each outcome's status depends on the command. */
  private stored(outcome: StoreOutcome, cmd: number, opcode: number, opaque: number, quiet: boolean): void {
    switch (outcome) {
      case 'stored':
        return this.ok(this.receipt.cas, undefined, opcode, opaque, quiet);
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

  private delete(key: string): MaybePromise<void> {
    const { opcode, opaque, quiet, cas } = this;
    if (cas === 0) {
      return then(this.uc.deletion.delete(key), (hit) => (hit ? this.ok(0, undefined, opcode, opaque, quiet) : this.error(Status.KeyNotFound, opcode, opaque)));
    }
    // memcached's binary delete counts nothing on a cas mismatch.
    const options: DeleteOptions = { compareCas: cas, mismatchUncounted: true };
    return then(this.uc.deletion.deleteWith(key, options), (outcome) => {
      if (outcome === 'deleted') return this.ok(0, undefined, opcode, opaque, quiet);
      return this.error(outcome === 'exists' ? Status.KeyExists : Status.KeyNotFound, opcode, opaque);
    });
  }

  private arithmetic(key: string, delta: bigint, initial: bigint, expiration: number): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet, cas } = this;
    const options: ArithmeticOptions = cas === 0 ? NO_ARITHMETIC_OPTIONS : { compareCas: cas };
    return then(this.uc.arithmetic.applyWith(key, delta, cmd === Op.Increment, options), (result) =>
      this.counted(result, key, initial, expiration, opcode, opaque, quiet),
    );
  }

  private counted(
    result: MetaArithmeticResult,
    key: string,
    initial: bigint,
    expiration: number,
    opcode: number,
    opaque: number,
    quiet: boolean,
  ): MaybePromise<void> {
    switch (result.status) {
      case 'ok':
        return this.ok(result.item.cas, counterBody(result.value), opcode, opaque, quiet);
      case 'non-numeric':
        return this.error(Status.NonNumeric, opcode, opaque);
      case 'exists':
        return this.error(Status.KeyExists, opcode, opaque);
      case 'no-memory':
        return this.error(Status.OutOfMemory, opcode, opaque, OOM_ITEM);
      case 'not-stored':
        return this.error(Status.NotStored, opcode, opaque);
      case 'not-found':
        break;
    }
    if (expiration === NO_AUTO_CREATE) return this.error(Status.KeyNotFound, opcode, opaque);
    // A missing counter is created with the initial value (flags 0), as an add.
    const value = Buffer.from(initial.toString(), 'latin1');
    return then(this.uc.storage.storeWith(StoreMode.Add, key, 0, expiration, value, NO_STORE_OPTIONS, this.receipt), (outcome): void => {
      if (outcome === 'stored') return this.ok(this.receipt.cas, counterBody(initial), opcode, opaque, quiet);
      if (outcome === 'no-memory') return this.error(Status.OutOfMemory, opcode, opaque, OOM_ITEM);
      return this.error(Status.NotStored, opcode, opaque);
    });
  }

  private flushAll(exptime: number): MaybePromise<void> {
    const { opcode, opaque, quiet } = this;
    return then(this.uc.flush.flushAll(exptime), () => this.ok(0, undefined, opcode, opaque, quiet));
  }

  /** A stat group, one packet per stat (see statRequest for how the key names the group). */
  private stat(key: string): void {
    const { group, arg } = statRequest(key);
    const r = this.uc.stats.statsGroup(group, arg);
    const { opcode, opaque } = this;
    switch (r.kind) {
      case 'pairs':
        return this.writer.data(statPackets(opcode, opaque, r.pairs));
      case 'reset':
      case 'detail-set':
        return this.writer.data(statPackets(opcode, opaque, []));
      case 'detail-dump':
        return this.writer.data(statPackets(opcode, opaque, [['detailed', r.lines.map((l) => l + '\r\n').join('') + 'END\r\n']]));
      case 'detail-usage':
      case 'unknown':
        return this.error(Status.KeyNotFound);
    }
  }

  /** SASL_AUTH / SASL_STEP (see SaslExchange); counted as memcached counts them. */
  private authenticate(data: Buffer): void {
    const verdict = this.cmd === Op.SaslAuth ? this.sasl.start(this.key, data) : this.sasl.step(data);
    if (verdict === 'continue') {
      this.writer.data(responseHeader(this.opcode, Status.AuthContinue, 0, 0, 0, this.opaque, 0));
      return;
    }
    const { counters } = this.uc;
    counters.auth_cmds++;
    if (verdict === 'authenticated') return this.ok(0, AUTHENTICATED);
    counters.auth_errors++;
    this.error(Status.AuthError);
  }
}

const NO_STORE_OPTIONS: StoreOptions = {};
const NO_ARITHMETIC_OPTIONS: ArithmeticOptions = {};

function storeModeOf(cmd: number): StoreMode {
  switch (cmd) {
    case Op.Add:
      return StoreMode.Add;
    case Op.Replace:
      return StoreMode.Replace;
    case Op.Append:
      return StoreMode.Append;
    case Op.Prepend:
      return StoreMode.Prepend;
    default:
      return StoreMode.Set;
  }
}

function noop(): void {}
