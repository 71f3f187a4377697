import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH, casFromWire } from '../../domain/rules.js';
import { StoreMode } from '../../application/storage.js';
import { ownedValue } from '../protocol/owned-value.js';
import { BinaryCommands, type BinaryOptions } from './binary-commands.js';
import { Shape, checkShape, isAuthExempt, isSasl } from './binary-frame-rules.js';
import { HEADER_LENGTH, MAX_SASL_MECH_LENGTH, Op, REQUEST_MAGIC, Status, loudOpcode } from './binary-protocol.js';
import { responseHeader } from './binary-replies.js';
import { SASL_MECHANISMS } from './sasl-plain.js';

export type { BinaryOptions };

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

const MECHANISMS = Buffer.from(SASL_MECHANISMS, 'latin1');
/** Internal error (spec 0x84): a store failure has no memcached equivalent. */
const INTERNAL_ERROR = 0x84;
const INTERNAL_ERROR_TEXT = Buffer.from('Internal error', 'latin1');

/**
 * The memcached binary protocol on one connection: an incremental parser
 * over Buffers (header, then extras and key, then the value) that hands each
 * frame to its opcode's handler (BinaryCommands); replies are gathered per
 * socket read and written once. A command whose
 * store access goes asynchronous (disk) blocks the pipeline, and pauses the
 * socket, until it completes, so replies stay in request order and unread
 * input stays in the kernel. A value is only buffered when it fits the item
 * size limit; larger ones are answered "Too large." and discarded as they
 * arrive, so a huge declared body never reaches memory.
 */
export class BinarySession extends BinaryCommands {
  private mode = Mode.Header;

  // The frame being parsed (the fields commands read are BinaryCommands').
  private keylen = 0;
  private extlen = 0;
  private bodylen = 0;
  private need = 0;
  private got = 0;
  /** Views of a value that spans reads (made by the first such value). */
  private parts: Buffer[] | undefined;

  override onClose(): void {
    super.onClose();
    this.parts = undefined;
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
    this.cas = casFromWire(b.readUInt32BE(p + 16), b.readUInt32BE(p + 20));
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
    if (this.parts !== undefined) this.parts.length = 0;
  }

  /** Gathers the value; true once all `need` bytes are here. */
  private collectValue(): boolean {
    const avail = this.available;
    const want = this.need - this.got;
    if (this.got === 0 && avail >= want) return true;
    const take = avail < want ? avail : want;
    // Views are safe to keep: this session does not parse borrowed input, so PipelinedSession
    // hands it a copy of every socket chunk (the shared read buffer is never seen here).
    if (take > 0) (this.parts ??= []).push(this.buf!.subarray(this.pos, this.pos + take));
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
    const parts = this.parts!;
    const value = ownedValue(parts, need);
    parts.length = 0;
    return value;
  }

  private onValue(value: Buffer): MaybePromise<void> {
    const cmd = this.cmd;
    if (cmd === Op.SaslAuth || cmd === Op.SaslStep) return this.authenticate(value);
    const r = this.store(value);
    // memcached reads a value its 16 KiB read buffer cannot hold straight from the socket, to its
    // end: the buffer is then empty and it sends every reply it holds, so a bad magic byte later
    // in the same write cannot drop them.
    if (HEADER_LENGTH + this.bodylen <= READ_BUFFER_SIZE) return r;
    if (isPromise(r)) return r.then(() => this.writer.mark());
    this.writer.mark();
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
}

/** memcached's READ_BUFFER_SIZE. */
const READ_BUFFER_SIZE = 16384;

function noop(): void {}
