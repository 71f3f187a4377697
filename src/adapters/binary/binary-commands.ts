import type { Socket } from 'node:net';
import type { CacheItem } from '../../domain/item.js';
import { isPromise, then, type MaybePromise } from '../../domain/maybe-promise.js';
import type { ArithmeticOptions, MetaArithmeticResult } from '../../application/arithmetic.js';
import type { DeleteOptions } from '../../application/deletion.js';
import { StoreMode, type StoreOptions, type StoreOutcome, type StoreReceipt } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import { PipelinedSession, type SessionFlowControl } from '../protocol/pipelined-session.js';
import { statRequest } from './binary-frame-rules.js';
import { HEADER_LENGTH, NO_AUTO_CREATE, Op, Status } from './binary-protocol.js';
import { arithmeticFailureStatus, counterBody, errorBody, responseHeader, statsReply, storeFailureStatus } from './binary-replies.js';
import type { Authenticate } from './sasl-plain.js';
import { SaslExchange } from './sasl-exchange.js';

/** Switches of the binary front end. */
export interface BinaryOptions extends SessionFlowControl {
  /** memcached's -S: every data command needs a successful SASL PLAIN authentication first. */
  saslEnabled: boolean;
  /** Checks a user's password (only called when `saslEnabled`). */
  authenticate: Authenticate;
}

/** memcached's "Out of memory allocating item" (its out_of_memory() without the SERVER_ERROR prefix). */
const OOM_ITEM = Buffer.from('Out of memory allocating item', 'latin1');
const AUTHENTICATED = Buffer.from('Authenticated', 'latin1');

/**
 * The binary protocol's commands and replies over the use-cases, for the
 * frame the parser (BinarySession) has just read: each handler answers in
 * memcached's statuses and bodies, captures what it needs before going
 * asynchronous, and never touches the store or the cas sequence itself.
 */
export abstract class BinaryCommands extends PipelinedSession {
  /** Made by the first frame that needs it (a connection holding half a frame holds neither). */
  private saslExchange: SaslExchange | undefined;
  /** The cas a storage command wrote; one per session, as commands run one at a time. */
  private storeReceipt: StoreReceipt | undefined;

  // The frame being served (set by the parser).
  protected opcode = 0;
  /** The loud equivalent of `opcode`. */
  protected cmd = 0;
  protected quiet = false;
  protected opaque = 0;
  protected cas = 0;
  protected key = '';
  protected flags = 0;
  protected exptime = 0;

  constructor(
    socket: Socket,
    protected readonly uc: UseCases,
    protected readonly options: BinaryOptions,
  ) {
    super(socket, uc.counters, options.writeBackpressure);
  }

  protected get sasl(): SaslExchange {
    return (this.saslExchange ??= new SaslExchange(this.options.authenticate));
  }

  private get receipt(): StoreReceipt {
    return (this.storeReceipt ??= { cas: 0 });
  }

  // ---- replies -----------------------------------------------------------------

  /** A success reply (unless quiet) with an optional body and cas. */
  protected ok(cas = 0, body?: Buffer, opcode = this.opcode, opaque = this.opaque, quiet = this.quiet): void {
    if (quiet) return;
    const len = body === undefined ? 0 : body.length;
    this.writer.data(responseHeader(opcode, Status.Ok, 0, 0, len, opaque, cas));
    if (body !== undefined) this.writer.data(body);
  }

  /** An error reply with memcached's text; errors are sent even for quiet commands. */
  protected error(status: Status, opcode = this.opcode, opaque = this.opaque, body = errorBody(status)): void {
    this.writer.data(responseHeader(opcode, status, 0, 0, body.length, opaque, 0));
    this.writer.data(body);
    // memcached's write_bin_error flushes, so a bad magic byte later in the read cannot drop this.
    this.writer.mark();
  }

  /** An error after which nothing can be trusted: reply, then close. */
  protected fatal(status: Status): void {
    this.error(status);
    this.close();
  }

  // ---- commands ------------------------------------------------------------------

  protected get(key: string): MaybePromise<void> {
    const r = this.uc.retrieval.get(key);
    if (!isPromise(r)) return this.item(key, r, this.cmd, this.opcode, this.opaque, this.quiet);
    const { cmd, opcode, opaque, quiet } = this;
    return r.then((item) => this.item(key, item, cmd, opcode, opaque, quiet));
  }

  protected touchOrGat(key: string, exptime: number): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet } = this;
    // Touch answers with the touched item's flags and cas (not its value), even when the new exptime expired it.
    const r = cmd === Op.Touch ? this.uc.touch.touchItem(key, exptime) : this.uc.retrieval.getAndTouch(key, exptime);
    return then(r, (item) => this.item(key, item, cmd, opcode, opaque, quiet));
  }

  /** The reply of the get family and touch for one item or a miss. */
  protected item(key: string, item: CacheItem | undefined, cmd: number, opcode: number, opaque: number, quiet: boolean): void {
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

  protected store(value: Buffer): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet, key, cas } = this;
    const isConcat = cmd === Op.Append || cmd === Op.Prepend;
    // A cas turns set/add/replace into a compare-and-swap (memcached's NREAD_CAS); append/prepend compare it themselves.
    const mode = cas !== 0 && !isConcat ? StoreMode.Cas : storeModeOf(cmd);
    const options: StoreOptions = cas === 0 ? NO_STORE_OPTIONS : { compareCas: cas };
    const r = this.uc.storage.storeWith(mode, key, isConcat ? 0 : this.flags, isConcat ? 0 : this.exptime, value, options, this.receipt);
    if (!isPromise(r)) return this.stored(r, cmd, opcode, opaque, quiet);
    return r.then((outcome) => this.stored(outcome, cmd, opcode, opaque, quiet));
  }

  protected stored(outcome: StoreOutcome, cmd: number, opcode: number, opaque: number, quiet: boolean): void {
    if (outcome === 'stored') return this.ok(this.receipt.cas, undefined, opcode, opaque, quiet);
    const status = storeFailureStatus(outcome, cmd);
    this.error(status, opcode, opaque, status === Status.OutOfMemory ? OOM_ITEM : undefined);
  }

  protected delete(key: string): MaybePromise<void> {
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

  protected arithmetic(key: string, delta: bigint, initial: bigint, expiration: number): MaybePromise<void> {
    const { cmd, opcode, opaque, quiet, cas } = this;
    const options: ArithmeticOptions = cas === 0 ? NO_ARITHMETIC_OPTIONS : { compareCas: cas };
    return then(this.uc.arithmetic.applyWith(key, delta, cmd === Op.Increment, options), (result) =>
      this.counted(result, key, initial, expiration, opcode, opaque, quiet),
    );
  }

  protected counted(
    result: MetaArithmeticResult,
    key: string,
    initial: bigint,
    expiration: number,
    opcode: number,
    opaque: number,
    quiet: boolean,
  ): MaybePromise<void> {
    if (result.status === 'ok') return this.ok(result.item.cas, counterBody(result.value), opcode, opaque, quiet);
    if (result.status !== 'not-found') {
      const status = arithmeticFailureStatus(result.status);
      return this.error(status, opcode, opaque, status === Status.OutOfMemory ? OOM_ITEM : undefined);
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

  protected flushAll(exptime: number): MaybePromise<void> {
    const { opcode, opaque, quiet } = this;
    return then(this.uc.flush.flushAll(exptime), () => this.ok(0, undefined, opcode, opaque, quiet));
  }

  /** A stat group, one packet per stat (see statRequest for how the key names the group). */
  protected stat(key: string): void {
    const { group, arg } = statRequest(key);
    const r = this.uc.stats.statsGroup(group, arg);
    const { opcode, opaque } = this;
    const packets = statsReply(r, opcode, opaque);
    if (packets === undefined) return this.error(Status.KeyNotFound);
    this.writer.data(packets);
  }

  /** SASL_AUTH / SASL_STEP (see SaslExchange); counted as memcached counts them. */
  protected authenticate(data: Buffer): void {
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
