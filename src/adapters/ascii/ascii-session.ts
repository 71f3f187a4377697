import type { Socket } from 'node:net';
import { isPromise, type MaybePromise } from '../../domain/maybe-promise.js';
import { KEY_MAX_LENGTH } from '../../domain/rules.js';
import { StoreMode, type StoreOutcome } from '../../application/storage.js';
import type { UseCases } from '../../application/use-cases.js';
import { PipelinedSession, type SessionFlowControl } from '../protocol/pipelined-session.js';
import { acquireBlock, releaseBlock } from '../protocol/owned-value.js';
import { readClock } from '../protocol/read-clock.js';
import { tokenI32, tokenU32, tokenU64, type Tokens } from '../protocol/tokenizer.js';
import { ADMIN_COMMANDS, type AdminScope, type AdminSession } from './admin-commands.js';
import { CommandTable } from './command-table.js';
import { Reply, storeReply } from './ascii-replies.js';
import { tcpAddress, type ConnectionEntry } from './connection-table.js';
import { getCommand } from './retrieval-commands.js';
import { arithmeticCommand, deleteCommand, touchCommand } from './key-commands.js';
import { DataBlockReader, keepValue, type DataBlockConsumer } from './data-block-reader.js';
import { keepLineTokens, lineTokens, releaseLineTokens } from './line-tokens.js';

export type { DataBlockConsumer } from './data-block-reader.js';

/** Limits and switches of the text front end. */
export interface AsciiOptions extends SessionFlowControl, AdminScope {
  /**
   * Largest command line buffered while waiting for its newline. memcached
   * closes a connection after 2048 bytes without one unless the line is a
   * get/gets (multi-gets are long); this bounds those too.
   */
  maxLineLength: number;
  /** Extension commands (streaming, meta...) tried before answering ERROR. */
  extensions?: AsciiExtension[];
}

/**
 * A text command family added beside the classic ones (meta, streaming).
 * `handle` returns false when the command is not its own.
 */
export interface AsciiExtension {
  handle(session: AsciiSession, tokens: Tokens): boolean | Promise<void>;
}

/** Without a newline in this many bytes a non-get line is garbage (memcached's rule). */
const NO_NEWLINE_LIMIT = 2048;
/** memcached's READ_BUFFER_SIZE: a non-get line longer than this closes the connection. */
const READ_BUFFER_SIZE = 16384;
/** memcached's MAX_TOKENS - 1: tokens after this are one opaque remainder. */
const MAX_TOKENS = 23;

const enum Mode {
  Line,
  Data,
  Swallow,
}

/**
 * The memcached text protocol on one connection: an incremental parser over
 * Buffers, one handler per command, replies gathered per socket read and
 * written once. A command whose store access goes asynchronous (disk) blocks
 * the pipeline until it completes, so replies stay in request order.
 */
export class AsciiSession extends PipelinedSession implements AdminSession, ConnectionEntry {
  /** The classic commands, then the administration ones (admin-commands.ts). */
  private static readonly COMMANDS = new CommandTable<(s: AsciiSession, nt: number) => MaybePromise<void>>([
    ['get', (s) => getCommand(s, s.uc.retrieval, false, false)],
    ['gets', (s) => getCommand(s, s.uc.retrieval, true, false)],
    ['gat', (s) => getCommand(s, s.uc.retrieval, false, true)],
    ['gats', (s) => getCommand(s, s.uc.retrieval, true, true)],
    ['bget', (s) => getCommand(s, s.uc.retrieval, false, false)],
    ['set', (s, nt) => s.update(StoreMode.Set, nt)],
    ['add', (s, nt) => s.update(StoreMode.Add, nt)],
    ['replace', (s, nt) => s.update(StoreMode.Replace, nt)],
    ['append', (s, nt) => s.update(StoreMode.Append, nt)],
    ['prepend', (s, nt) => s.update(StoreMode.Prepend, nt)],
    ['cas', (s, nt) => s.update(StoreMode.Cas, nt)],
    ['delete', (s, nt) => deleteCommand(s, s.uc.deletion, nt)],
    ['incr', (s, nt) => arithmeticCommand(s, s.uc.arithmetic, true, nt)],
    ['decr', (s, nt) => arithmeticCommand(s, s.uc.arithmetic, false, nt)],
    ['touch', (s, nt) => touchCommand(s, s.uc.touch, nt)],
    ...ADMIN_COMMANDS.map(([name, run]) => [name, (s: AsciiSession, nt: number) => run(s, nt, s.uc, s.options)] as const),
  ]);

  /** The current line's tokens: shared by every session while it parses (line-tokens.ts). */
  tokens: Tokens = lineTokens();
  /** Connection number shown by `stats conns`. */
  readonly id: number;
  /** readClock.seconds at the last socket read, for `stats conns` (whole seconds, as memcached's current_time). */
  private lastRead = readClock.seconds;
  private mode = Mode.Line;
  /** Suppresses every reply of the current command (memcached's c->noreply). */
  private noreply = false;

  /** The data block of the pending storage command, or the one skipped after a refusal: made by the first one. */
  private pending: PendingStore | undefined;

  constructor(
    socket: Socket,
    private readonly uc: UseCases,
    private readonly options: AsciiOptions,
  ) {
    super(socket, uc.counters, options.writeBackpressure);
    readClock.tickSeconds();
    this.id = options.connections?.nextId() ?? 0;
    options.connections?.add(this);
  }

  override onData(chunk: Buffer): void {
    this.lastRead = readClock.seconds;
    super.onData(chunk);
  }

  override onClose(): void {
    super.onClose();
    this.options.connections?.remove(this);
    this.pending?.clear();
  }

  get addr(): string {
    return tcpAddress(this.socket.remoteAddress, this.socket.remotePort);
  }

  get listenAddr(): string {
    return tcpAddress(this.socket.localAddress, this.socket.localPort);
  }

  /** memcached's name for where this connection is (the one asking is conn_parse_cmd). */
  state(): string {
    return this.mode === Mode.Data ? 'conn_nread' : this.mode === Mode.Swallow ? 'conn_swallow' : 'conn_read';
  }

  get repliesPending(): boolean {
    return this.hasReplies;
  }

  idleMs(): number {
    return (readClock.seconds - this.lastRead) * 1000;
  }

  /** Every command copies what it keeps (keys become strings, values ownedValue). */
  protected override parsesBorrowedInput(): boolean {
    return true;
  }

  protected override inputMoved(from: Buffer, to: Buffer): void {
    if (this.tokens.buf === from) this.tokens.buf = to;
  }

  protected override resumed(): void {
    releaseLineTokens(this, this.tokens);
  }

  /** The data block reader (with the pending storage command's fields), made on first use. */
  private get dataBlock(): PendingStore {
    return (this.pending ??= new PendingStore());
  }

  /**
   * For extension commands: the next `length` bytes after the current line
   * (the data block plus its CRLF) go to `consumer` instead of the parser.
   */
  expectData(length: number, consumer: DataBlockConsumer): void {
    this.beginBlock(length, consumer);
    this.mode = Mode.Data;
  }

  /** For extension commands: the next `length` bytes are a refused data block and are skipped. */
  swallowData(length: number): void {
    this.beginBlock(length, undefined);
    this.mode = Mode.Swallow;
  }

  /**
   * Starts the current line's data block. memcached reads a block that does
   * not fit its 16 KiB read buffer straight from the socket, exactly to its
   * end: its buffer is then empty, so it sends every reply it holds before the
   * next command, and a failed multi-get after it cannot cull them (mark()).
   * Shorter blocks may or may not fit, depending on how its reads fell.
   */
  private beginBlock(length: number, consumer: DataBlockConsumer | undefined): PendingStore {
    const p = this.dataBlock;
    p.start(length, consumer);
    p.flushesAfter = this.pos - this.tokens.start(0) + length > READ_BUFFER_SIZE;
    return p;
  }

  /** After a data block's reply (see beginBlock). */
  private blockDone(): void {
    if (this.pending!.flushesAfter) this.writer.mark();
  }

  /** Appends reply text unless the current command is noreply. */
  reply(text: string): void {
    if (!this.noreply) this.writer.text(text);
  }

  protected step(): MaybePromise<void> | false {
    if (this.available === 0) return false;
    if (this.mode === Mode.Line) return this.nextLine();
    if (this.mode === Mode.Data) return this.collectData() ? this.completeStore() : false;
    return this.swallow() ? undefined : false;
  }

  protected failed(err: unknown): void {
    this.writer.text('SERVER_ERROR ' + String((err as Error)?.message ?? err).replace(/[\r\n]/g, ' ') + '\r\n');
  }

  /** Handles one complete line; false when the line is not complete yet. */
  private nextLine(): MaybePromise<void> | false {
    const buf = this.buf!;
    const start = this.pos;
    const nl = buf.indexOf(10, start);
    if (nl === -1) {
      this.checkPartialLine(buf, start, buf.length - start);
      return false;
    }
    // memcached reads 16 KiB at a time, so it never sees the newline of a longer line in time.
    if (nl - start > READ_BUFFER_SIZE && this.checkPartialLine(buf, start, nl - start)) return false;
    this.pos = nl + 1;
    const end = nl - start > 1 && buf[nl - 1] === 13 ? nl - 1 : nl;
    return this.dispatch(buf, start, end);
  }

  /** memcached's rule for a line with no newline yet: only multi-gets may be long. */
  private checkPartialLine(buf: Buffer, start: number, pending: number): boolean {
    if (pending <= NO_NEWLINE_LIMIT) return false;
    let i = start;
    while (i < buf.length && buf[i] === 0x20) i++;
    const isGet =
      i - start <= 100 &&
      buf[i] === 0x67 &&
      buf[i + 1] === 0x65 &&
      buf[i + 2] === 0x74 &&
      (buf[i + 3] === 0x20 || (buf[i + 3] === 0x73 && buf[i + 4] === 0x20));
    if (isGet && pending <= this.options.maxLineLength) return false;
    this.close();
    return true;
  }

  private dispatch(buf: Buffer, start: number, end: number): MaybePromise<void> {
    const t = (this.tokens = lineTokens());
    const r = this.execute(t, buf, start, end);
    // The waiting command may read its tokens when it resumes (released in resumed()).
    if (r !== undefined) keepLineTokens(this);
    return r;
  }

  private execute(t: Tokens, buf: Buffer, start: number, end: number): MaybePromise<void> {
    const n = t.tokenize(buf, start, end);
    this.noreply = false;
    if (n === 0 || t.length(0) < 2) {
      this.reply(Reply.ERROR);
      return;
    }
    // memcached counts the terminal token: ntokens = tokens + 1, capped at 24.
    const nt = (n > MAX_TOKENS ? MAX_TOKENS : n) + 1;
    const run = AsciiSession.COMMANDS.find(t);
    if (run !== undefined) return run(this, nt);
    const ext = this.options.extensions;
    if (ext) {
      for (const e of ext) {
        const handled = e.handle(this, t);
        if (handled !== false) return handled === true ? undefined : handled;
      }
    }
    // A line that ends in HTTP/x is a browser or a cross-protocol attack: drop it, as memcached does.
    const last = n - 1;
    if (t.length(last) >= 5 && buf.toString('latin1', t.start(last), t.start(last) + 5) === 'HTTP/') {
      this.close();
      return;
    }
    this.reply(Reply.ERROR);
  }

  /** memcached's set_noreply_maybe: the last real token is "noreply". */
  noreplyMaybe(nt: number): boolean {
    if (nt >= 2 && this.tokens.is(nt - 2, 'noreply')) this.noreply = true;
    return this.noreply;
  }

  // ---- storage -------------------------------------------------------------

  private update(mode: StoreMode, nt: number): MaybePromise<void> {
    const t = this.tokens;
    const isCas = mode === StoreMode.Cas;
    if (isCas ? nt !== 7 && nt !== 8 : nt !== 6 && nt !== 7) return this.reply(Reply.ERROR);
    this.noreplyMaybe(nt);
    if (t.length(1) > KEY_MAX_LENGTH) return this.reply(Reply.BAD_FORMAT);
    const flags = tokenU32(t, 2);
    const exptime = tokenI32(t, 3);
    const vlen = tokenI32(t, 4);
    if (flags < 0 || exptime === undefined || vlen === undefined) return this.reply(Reply.BAD_FORMAT);
    let cas = 0;
    if (isCas) {
      const c = tokenU64(t, 5);
      if (c === undefined) return this.reply(Reply.BAD_FORMAT);
      // Our cas values stay below 2^53; a larger one can only mismatch.
      cas = c > 0x1f_ffff_ffff_ffffn ? -1 : Number(c);
    }
    if (vlen < 0 || vlen > 0x7fff_fffd) return this.reply(Reply.BAD_FORMAT);
    const key = t.str(1);
    if (!this.uc.storage.fits(key.length, vlen, flags)) {
      this.reply(Reply.TOO_LARGE);
      this.swallowData(vlen + 2);
      const r = this.uc.storage.rejectTooLarge(mode, key);
      return isPromise(r) ? r.then(noop) : undefined;
    }
    const p = this.beginBlock(vlen + 2, undefined);
    p.mode = mode;
    p.key = key;
    p.flags = flags;
    p.exptime = exptime;
    p.cas = cas;
    p.noreply = this.noreply;
    this.mode = Mode.Data;
  }

  /** Gathers the data block; true once all of it is here. */
  private collectData(): boolean {
    const buf = this.buf!;
    this.pos += this.dataBlock.gather(buf, this.pos);
    return this.dataBlock.complete(buf.length - this.pos);
  }

  private completeStore(): MaybePromise<void> {
    const reader = this.dataBlock;
    const need = reader.need;
    const block = reader.take(this.buf!, this.pos);
    const owned = reader.owned;
    if (!owned) this.pos += need;
    this.mode = Mode.Line;
    const wellFormed = block[need - 2] === 13 && block[need - 1] === 10;
    const consumer = reader.consumer;
    if (consumer !== undefined) {
      reader.consumer = undefined;
      this.noreply = false;
      const r = wellFormed ? consumer.data(keepValue(block, owned, need - 2)) : consumer.badChunk();
      if (!reader.flushesAfter) return r;
      if (isPromise(r)) return r.then(() => this.blockDone());
      return this.blockDone();
    }
    this.noreply = reader.noreply;
    const { storage } = this.uc;
    if (!wellFormed) {
      storage.countRejectedSet();
      this.reply(Reply.BAD_CHUNK);
      return this.blockDone();
    }
    let carrier = block;
    if (!owned) {
      carrier = acquireBlock(need - 2);
      block.copy(carrier, 0, 0, need - 2);
    }
    const r = storage.store(reader.mode, reader.key, reader.flags, reader.exptime, carrier.subarray(0, need - 2), reader.cas);
    // A pending command may still read its value; a finished one has been copied by the store (CacheStore.set).
    if (isPromise(r)) return r.then((o) => this.storeDone(o));
    releaseBlock(carrier);
    this.reply(storeReply(r));
    this.blockDone();
  }

  private storeDone(outcome: StoreOutcome): void {
    this.reply(storeReply(outcome));
    this.blockDone();
  }

  /** Discards the data block of a refused storage command. */
  private swallow(): boolean {
    this.pos += this.dataBlock.skip(this.buf!, this.pos);
    if (!this.dataBlock.skipped) return false;
    this.mode = Mode.Line;
    this.blockDone();
    return true;
  }
}

function noop(): void {}

/** A data block reader that also holds the storage command waiting for its block. */
class PendingStore extends DataBlockReader {
  mode = StoreMode.Set;
  key = '';
  flags = 0;
  exptime = 0;
  cas = 0;
  noreply = false;
  /** The block is longer than memcached's read buffer holds (beginBlock). */
  flushesAfter = false;
}
